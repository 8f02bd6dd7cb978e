terraform {
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_dynamodb_resource_policy (cross-account lock items) needs 5.43 or later.
      version = ">= 5.43"
    }
  }
}
