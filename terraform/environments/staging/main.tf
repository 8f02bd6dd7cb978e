terraform {
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  # One state per environment, encrypted at rest, locked in DynamoDB. Replace the bucket and table
  # names with yours (or pass them with backend_config in tfoidc.toml).
  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "environments/staging/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "acme-terraform-locks"
  }
}

provider "aws" {
  region = var.region

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
