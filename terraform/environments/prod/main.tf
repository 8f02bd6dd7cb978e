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
    key            = "environments/prod/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "acme-terraform-locks"
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      environment = "prod"
      managed-by  = "terraform"
    }
  }
}

variable "region" {
  description = "AWS region of the prod environment."
  type        = string
  default     = "eu-west-1"
}

module "workload" {
  source = "../../modules/workload"

  name     = "acme-prod"
  vpc_cidr = "10.30.0.0/16"
}

output "bucket_name" {
  description = "Name of the prod data bucket."
  value       = module.workload.bucket_name
}

output "vpc_id" {
  description = "Id of the prod VPC."
  value       = module.workload.vpc_id
}
