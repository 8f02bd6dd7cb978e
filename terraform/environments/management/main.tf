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

variable "project_id" {
  description = "The project's numeric id: pins the roles to it even if the project is renamed."
  type        = string
  default     = "4242"
}

module "gitlab_oidc" {
  source = "../../modules/oidc"

  gitlab_url = "https://gitlab.com"
  audience   = "sts.amazonaws.com"

  environments = {
    # Merge request pipelines of any branch plan dev.
    dev = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:*"]
      project_ids         = [var.project_id]
      managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
    staging = {
      subjects            = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
      project_ids         = [var.project_id]
      managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
    # Only the protected default branch reaches prod.
    prod = {
      subjects              = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
      project_ids           = [var.project_id]
      require_protected_ref = true
      max_session_duration  = 3600
      managed_policy_arns   = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    }
  }
}

output "role_arns" {
  description = "Role ARN per environment, for tfoidc.toml."
  value       = module.gitlab_oidc.role_arns
}
