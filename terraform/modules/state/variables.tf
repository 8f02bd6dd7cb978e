variable "bucket_name" {
  description = "Name of the state bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "The bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots and dashes)."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB state lock table."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "The lock_table_name must be 3-255 letters, digits, underscores, dots or dashes."
  }
}

variable "environments" {
  description = <<-EOT
    Per environment: its state object key, the roles that may read it (plan and apply) and the one role
    that may write it (apply). Each role gets its own key and its own lock and digest items, and nothing
    of another environment. plan_takes_state_lock must match the oidc module's setting.
  EOT
  type = map(object({
    key                   = string
    plan_role_arn         = string
    apply_role_arn        = string
    plan_takes_state_lock = bool
  }))

  validation {
    condition     = alltrue([for name, env in var.environments : can(regex("^[a-z][a-z0-9-]{0,20}$", name)) && can(regex("^environments/[a-z][a-z0-9-]*/[A-Za-z0-9_./-]+$", env.key)) && !can(regex("[*?]", env.key))])
    error_message = "Each environment needs a literal key under environments/<name>/ (no wildcards)."
  }

  validation {
    condition     = alltrue([for env in values(var.environments) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", env.plan_role_arn)) && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", env.apply_role_arn)) && env.plan_role_arn != env.apply_role_arn])
    error_message = "plan_role_arn and apply_role_arn must be two different IAM role ARNs."
  }
}

variable "admin_arns" {
  description = "Principals of this account that administer the state (break-glass, migrations): they keep write access to every key."
  type        = list(string)

  validation {
    condition     = length(var.admin_arns) > 0 && alltrue([for arn in var.admin_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "List at least one IAM role or user ARN of the management account."
  }
}

variable "noncurrent_version_days" {
  description = "How long superseded state versions are kept (days)."
  type        = number
  default     = 365

  validation {
    condition     = var.noncurrent_version_days >= 30
    error_message = "Keep superseded state versions at least 30 days."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
