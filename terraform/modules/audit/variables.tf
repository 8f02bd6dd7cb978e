variable "name" {
  description = "Name of the trail, the alert topic and the event rule."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,40}$", var.name))
    error_message = "The name must be 3-41 lowercase letters, digits or dashes."
  }
}

variable "bucket_name" {
  description = "Name of the bucket the trail writes its log files to (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "The bucket_name must be a valid S3 bucket name."
  }
}

variable "watched_role_arns" {
  description = "The GitLab roles whose AssumeRoleWithWebIdentity calls are sent to the alert topic."
  type        = list(string)

  validation {
    condition     = length(var.watched_role_arns) > 0 && alltrue([for arn in var.watched_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "List at least one IAM role ARN."
  }
}

variable "is_organization_trail" {
  description = "Make the trail an organization trail (this account must be the organization's management account or a delegated administrator)."
  type        = bool
  default     = false
}

variable "forwarder_role_arns" {
  description = "The roles of the audit/forwarder module, in the environments' accounts, that may put their AssumeRoleWithWebIdentity events on this account's default event bus (no other principal may)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.forwarder_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "Each forwarder must be an IAM role ARN."
  }
}

variable "log_retention_days" {
  description = "Days the trail's log files are kept."
  type        = number
  default     = 400

  validation {
    condition     = var.log_retention_days >= 90 && var.log_retention_days <= 3653
    error_message = "Keep the log files between 90 days and 10 years."
  }
}

variable "alert_emails" {
  description = "Addresses subscribed to the alert topic (each confirms by e-mail)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Each alert address must be an e-mail address."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
