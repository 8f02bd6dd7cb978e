variable "gitlab_url" {
  description = "GitLab instance URL, the ID token's issuer (https://gitlab.com or your self-managed URL)."
  type        = string
  default     = "https://gitlab.com"

  validation {
    condition     = can(regex("^https://[^/]+$", var.gitlab_url))
    error_message = "The gitlab_url must be an https URL without a path or trailing slash, e.g. https://gitlab.com."
  }
}

variable "create_oidc_provider" {
  description = "Create the IAM OIDC provider in this account; false to reuse an existing one (oidc_provider_arn)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for gitlab_url (create_oidc_provider = false); its client IDs must list both audiences."
  type        = string
  default     = null
}

variable "thumbprints" {
  description = "Optional TLS thumbprints. AWS verifies well-known CAs itself, so these are rarely needed."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.thumbprints : can(regex("^[0-9a-fA-F]{40}$", t))])
    error_message = "Each thumbprint must be 40 hexadecimal characters (a SHA-1 fingerprint)."
  }
}

variable "name_prefix" {
  description = "Prefix of the role names: <name_prefix>-<environment>-plan and -apply."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,40}$", var.name_prefix))
    error_message = "The name_prefix must be 1-40 characters of letters, digits and +=,.@_-."
  }
}

variable "environment" {
  description = "Name of the environment whose account this is (dev, staging, prod...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,20}$", var.environment))
    error_message = "The environment must be lowercase letters, digits and dashes, starting with a letter."
  }
}

variable "project_path" {
  description = "The GitLab project (group/project, subgroups allowed) whose pipelines may assume the roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.project_path))
    error_message = "The project_path must name one project (group/project), without wildcards."
  }
}

variable "plan_audience" {
  description = "The id_tokens aud of plan and drift jobs. Only the plan role accepts it."
  type        = string

  validation {
    condition     = length(var.plan_audience) > 0 && !can(regex("[*?]", var.plan_audience))
    error_message = "The plan_audience must be a fixed, non-empty string (no wildcards)."
  }
}

variable "apply_audience" {
  description = "The id_tokens aud of apply jobs only. Only the apply role accepts it; it must differ from plan_audience."
  type        = string

  validation {
    condition     = length(var.apply_audience) > 0 && !can(regex("[*?]", var.apply_audience))
    error_message = "The apply_audience must be a fixed, non-empty string (no wildcards)."
  }
}

variable "plan_subjects" {
  description = <<-EOT
    GitLab `sub` claims that may assume the read-only plan role
    ("project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>"). The ref may be a wildcard; the
    project and the ref type may not. Empty: every branch of project_path.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.plan_subjects : can(regex("^project_path:[^*?:]+/[^*?:]+:ref_type:(branch|tag):ref:[^:]+$", s))])
    error_message = "Each plan subject must name one project and one ref type (project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>)."
  }
}

variable "apply_subjects" {
  description = <<-EOT
    GitLab `sub` claims that may assume the apply role (write access): protected branches or tags only,
    written out in full. No wildcard anywhere: a wildcard ref or ref type would let a branch or tag that
    any Developer can push (a tag named main, a branch main-2) apply. Empty: the branch main of project_path.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.apply_subjects : can(regex("^project_path:[^*?:]+/[^*?:]+:ref_type:(branch|tag):ref:[^*?:]+$", s))])
    error_message = "Each apply subject must name one project, one ref type and one ref, without wildcards (project_path:<group>/<project>:ref_type:branch:ref:main)."
  }
}

variable "state" {
  description = "Where this environment's Terraform state lives (the management root's state module): bucket name, object key, lock table ARN, KMS key ARN."
  type = object({
    bucket         = string
    key            = string
    lock_table_arn = string
    kms_key_arn    = string
  })

  validation {
    condition     = !can(regex("[*?]", var.state.key)) && can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", var.state.lock_table_arn)) && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.state.kms_key_arn))
    error_message = "The state key must be literal, lock_table_arn a DynamoDB table ARN and kms_key_arn a KMS key ARN."
  }
}

variable "plan_takes_state_lock" {
  description = "Let the plan role take and release its own environment's state lock. Off by default: any branch can assume the plan role, so a plan role that may write the lock item can block that environment's applies (hold the lock) or release an apply's lock. Plans run with -lock=false instead (TF_CLI_ARGS_plan)."
  type        = bool
  default     = false
}

variable "plan_read_actions" {
  description = "What the plan role may read in this account to refresh the workload: Describe/Get/List actions only, never object or item data."
  type        = list(string)
  default = [
    "ec2:Describe*",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucket*",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
  ]

  validation {
    condition     = alltrue([for a in var.plan_read_actions : can(regex("^[a-z0-9-]+:(Describe|Get|List)[A-Za-z0-9]*\\*?$", a)) && !contains(["s3:GetObject", "s3:GetObjectVersion"], a)])
    error_message = "Plan actions must be service:Describe*, service:Get* or service:List* actions (object reads excluded)."
  }
}

variable "apply_managed_policy_arns" {
  description = "Managed policies of the apply role in this environment's account (what the workload needs to deploy)."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}

variable "apply_permissions_boundary_arn" {
  description = "Optional permissions boundary for the apply role."
  type        = string
  default     = null
}

variable "apply_chain_role_arns" {
  description = "Roles the apply role may assume in turn (tfoidc chain_role_arn), e.g. a deploy role in another account."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.apply_chain_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "Each apply chain role must be an IAM role ARN."
  }
}

variable "plan_chain_role_arns" {
  description = "Read-only roles the plan role may assume in turn (tfoidc plan_chain_role_arn). Never an apply chain role."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.plan_chain_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "Each plan chain role must be an IAM role ARN."
  }
}

variable "max_session_duration" {
  description = "Maximum session length of both roles, in seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 900 && var.max_session_duration <= 43200
    error_message = "The max_session_duration must be between 900 and 43200 seconds."
  }
}

variable "role_path" {
  description = "IAM path of the roles."
  type        = string
  default     = "/gitlab/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9_+=,.@-]+/)*$", var.role_path))
    error_message = "The role_path must start and end with a slash."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
