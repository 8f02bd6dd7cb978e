# Applied once by an administrator (not by the pipeline): creates the GitLab OIDC provider and the role
# each environment's jobs assume. Put the role_arns output into tfoidc.toml.
terraform {
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "environments/management/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "acme-terraform-locks"
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "project_path" {
  description = "The GitLab project (group/project) whose pipelines may assume the roles."
  type        = string
  default     = "acme/infrastructure"
}

module "gitlab_oidc" {
  source = "../../modules/oidc"

  gitlab_url = "https://gitlab.com"
  audience   = "sts.amazonaws.com"

  environments = {
    # Merge request pipelines of any branch plan dev.
    dev = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:*"]
      managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
    staging = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
      managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
    # Only the default branch reaches prod; tfoidc's branch rules (apply_refs, require_protected_ref in
    # tfoidc.toml) also require it to be protected, before any STS call.
    prod = {
      subjects             = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
      max_session_duration = 3600
      managed_policy_arns  = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
    # Read-only roles for merge request plans of any branch (plan_role_arn in tfoidc.toml): they read
    # everything and may only take the state lock.
    staging-plan = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:*"]
      managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
      inline_policies     = { state-lock = data.aws_iam_policy_document.state_lock.json }
    }
    prod-plan = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:*"]
      managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
      inline_policies     = { state-lock = data.aws_iam_policy_document.state_lock.json }
    }
  }
}

data "aws_iam_policy_document" "state_lock" {
  statement {
    sid       = "TakeTheStateLock"
    actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"]
    resources = ["arn:aws:dynamodb:eu-west-1:*:table/acme-terraform-locks"]
  }
}

output "role_arns" {
  description = "Role ARN per environment, for tfoidc.toml."
  value       = module.gitlab_oidc.role_arns
}
