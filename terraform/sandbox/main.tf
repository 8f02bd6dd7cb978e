# A root that needs no cloud provider: the demo and the tests really plan and apply it, with its state
# in the sandbox's S3 bucket (moto) and its lock in the sandbox's DynamoDB table.
terraform {
  required_version = ">= 1.0.0"

  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "2.1.2"
    }
  }

  # Partial configuration: tfoidc passes bucket, key, region, lock table and endpoints with
  # -backend-config from tfoidc.toml.
  backend "s3" {}
}

variable "environment" {
  description = "Name of the environment this root is planned for."
  type        = string
  default     = "sandbox"
}

variable "release" {
  description = "Changing it replaces the release marker, like a deployment would."
  type        = string
  default     = "1"
}

resource "null_resource" "network" {
  triggers = {
    environment = var.environment
  }
}

resource "null_resource" "release" {
  triggers = {
    release = var.release
    network = null_resource.network.id
  }
}

output "release_id" {
  description = "Id of the release marker."
  value       = null_resource.release.id
}
