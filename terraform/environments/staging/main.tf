terraform {
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  # The state lives in the management account (terraform/environments/management, state.tf): the
  # table is named by its ARN so that it is reached from this environment's account. The bucket
  # encrypts with the state key by default, so no encrypt/kms_key_id here (its policy refuses any other
  # encryption). Replace the names with yours, or pass them with backend_config in tfoidc.toml.
  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "environments/staging/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "arn:aws:dynamodb:eu-west-1:100000000000:table/acme-terraform-locks"
  }
}

provider "aws" {
  region = var.region
  # The staging account only: credentials of another account fail before any change.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      environment = "staging"
      managed-by  = "terraform"
    }
  }
}

variable "region" {
  description = "AWS region of the staging environment."
  type        = string
  default     = "eu-west-1"
}

variable "account_id" {
  description = "The staging environment's own AWS account."
  type        = string
  default     = "222222222222"
}

module "workload" {
  source = "../../modules/workload"

  name     = "acme-staging"
  vpc_cidr = "10.20.0.0/16"
}

output "bucket_name" {
  description = "Name of the staging data bucket."
  value       = module.workload.bucket_name
}

output "vpc_id" {
  description = "Id of the staging VPC."
  value       = module.workload.vpc_id
}
