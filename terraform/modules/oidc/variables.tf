variable "gitlab_url" {
  description = "GitLab instance URL, the ID token's issuer (https://gitlab.com or your self-managed URL)."
  type        = string
  default     = "https://gitlab.com"

  validation {
    condition     = can(regex("^https://[^/]+$", var.gitlab_url))
    error_message = "The gitlab_url must be an https URL without a path or trailing slash, e.g. https://gitlab.com."
  }
}

variable "audience" {
  description = "The `aud` the pipeline's id_tokens declare; every role requires exactly this audience."
  type        = string
  default     = "sts.amazonaws.com"

  validation {
    condition     = length(var.audience) > 0 && !can(regex("[*?]", var.audience))
    error_message = "The audience must be a fixed, non-empty string (no wildcards)."
  }
}

variable "create_oidc_provider" {
  description = "Create the IAM OIDC provider; false to reuse an existing one (oidc_provider_arn)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for gitlab_url, when create_oidc_provider is false."
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

variable "environments" {
  description = <<-EOT
    One IAM role per environment. `subjects` are GitLab `sub` claims
    ("project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>"); exact subjects use StringEquals,
    subjects with a wildcard use StringLike and must still name the project.

    project_ids, namespace_ids and require_protected_ref add conditions on GitLab's own claims. Use them
    only where AWS STS evaluates GitLab claims as condition keys: for a generic OIDC provider IAM sees
    only aud, sub and amr, and a role with these conditions could not be assumed at all. tfoidc checks
    ref_protected itself (require_protected_ref in tfoidc.toml) before it calls STS.
  EOT
  type = map(object({
    subjects                 = list(string)
    project_ids              = optional(list(string), [])
    namespace_ids            = optional(list(string), [])
    require_protected_ref    = optional(bool, false)
    max_session_duration     = optional(number, 3600)
    permissions_boundary_arn = optional(string)
    managed_policy_arns      = optional(list(string), [])
    inline_policies          = optional(map(string), {})
    role_name                = optional(string)
    role_path                = optional(string, "/gitlab/")
  }))

  validation {
    condition     = length(var.environments) > 0
    error_message = "Define at least one environment."
  }

  validation {
    condition = alltrue([
      for env in values(var.environments) : length(env.subjects) > 0
    ])
    error_message = "Every environment needs at least one subject."
  }

  validation {
    condition = alltrue(flatten([
      for env in values(var.environments) : [
        for s in env.subjects : can(regex("^project_path:[^*?:]+/[^*?:]+:ref_type:(branch|tag|\\*):ref:.+$", s))
      ]
    ]))
    error_message = "Each subject must name an exact project (project_path:<group>/<project>:ref_type:<type>:ref:<ref>); a wildcard for the project would trust every project on the instance."
  }

  validation {
    condition = alltrue([
      for env in values(var.environments) : env.max_session_duration >= 900 && env.max_session_duration <= 43200
    ])
    error_message = "max_session_duration must be between 900 and 43200 seconds."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
