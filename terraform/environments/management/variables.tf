variable "region" {
  description = "Region of the state, the trail's home and the roles' STS calls."
  type        = string
  default     = "eu-west-1"
}

variable "accounts" {
  description = "One AWS account per environment, plus the management account that holds state and audit."
  type = object({
    management = string
    dev        = string
    staging    = string
    prod       = string
  })
  default = {
    management = "100000000000"
    dev        = "111111111111"
    staging    = "222222222222"
    prod       = "333333333333"
  }

  validation {
    condition     = alltrue([for id in values(var.accounts) : can(regex("^[0-9]{12}$", id))]) && length(distinct(values(var.accounts))) == 4
    error_message = "Give four different 12-digit account IDs: an environment never shares an account with another or with the state."
  }
}

variable "bootstrap_role_name" {
  description = "The role this root assumes in each environment's account to create its GitLab roles."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "gitlab_url" {
  description = "The GitLab instance (the ID tokens' issuer)."
  type        = string
  default     = "https://gitlab.com"
}

variable "project_path" {
  description = "The GitLab project (group/project) whose pipelines may assume the roles."
  type        = string
  default     = "acme/infra"
}

variable "name_prefix" {
  description = "Prefix of the role names (<prefix>-<environment>-plan / -apply)."
  type        = string
  default     = "acme"
}

variable "plan_audience" {
  description = "The id_tokens aud plan and drift jobs request; only plan roles accept it."
  type        = string
  default     = "sts.amazonaws.com"
}

variable "apply_audience" {
  description = "The id_tokens aud apply jobs request; only apply roles accept it. Default: <gitlab_url>/apply."
  type        = string
  default     = null
}

variable "state_bucket_name" {
  description = "The state bucket (must match every root's backend block)."
  type        = string
  default     = "acme-terraform-state"
}

variable "lock_table_name" {
  description = "The state lock table (its ARN is every root's backend dynamodb_table)."
  type        = string
  default     = "acme-terraform-locks"
}

variable "state_admin_arns" {
  description = "Principals of the management account that administer the state (break-glass, migrations)."
  type        = list(string)
  default     = ["arn:aws:iam::100000000000:role/terraform-admin"]
}

variable "audit_bucket_name" {
  description = "The bucket of the audit trail's log files."
  type        = string
  default     = "acme-audit-trail"
}

variable "organization_trail" {
  description = "Record every account of the organization (the management account must be the organization's)."
  type        = bool
  default     = false
}

variable "alert_emails" {
  description = "Who is told, by e-mail, each time a GitLab role is assumed."
  type        = list(string)
  default     = []
}
