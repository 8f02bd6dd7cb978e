# Applied by an administrator (never by the pipeline), with credentials of the management account that
# can assume bootstrap_role_name in each environment's account. It creates:
# - in the management account: the Terraform state of every environment (state.tf) and the audit trail
#   with alerts on every use of a GitLab role (audit.tf);
# - in each environment's own account: the GitLab OIDC provider, a read-only plan role (any branch) and
#   an apply role (protected refs, apply audience only) (roles.tf).
# Put the outputs into tfoidc.toml (role_arn, plan_role_arn) and the environments' backend blocks.
#
# First run: the bucket this root's state lives in does not exist yet. Comment out the backend block,
# apply with local state, restore it and run `terraform init -migrate-state`.
terraform {
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.81"
    }
  }

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "environments/management/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "arn:aws:dynamodb:eu-west-1:100000000000:table/acme-terraform-locks"
  }
}

# allowed_account_ids on every provider: a credential for the wrong account fails before any change.
provider "aws" {
  region              = var.region
  allowed_account_ids = [var.accounts.management]
}

provider "aws" {
  alias               = "dev"
  region              = var.region
  allowed_account_ids = [var.accounts.dev]

  assume_role {
    role_arn = "arn:aws:iam::${var.accounts.dev}:role/${var.bootstrap_role_name}"
  }
}

provider "aws" {
  alias               = "staging"
  region              = var.region
  allowed_account_ids = [var.accounts.staging]

  assume_role {
    role_arn = "arn:aws:iam::${var.accounts.staging}:role/${var.bootstrap_role_name}"
  }
}

provider "aws" {
  alias               = "prod"
  region              = var.region
  allowed_account_ids = [var.accounts.prod]

  assume_role {
    role_arn = "arn:aws:iam::${var.accounts.prod}:role/${var.bootstrap_role_name}"
  }
}

locals {
  # The audience apply jobs request (id_tokens aud); plan and drift jobs request plan_audience.
  apply_audience = coalesce(var.apply_audience, "${var.gitlab_url}/apply")

  state_keys = {
    dev     = "environments/dev/terraform.tfstate"
    staging = "environments/staging/terraform.tfstate"
    prod    = "environments/prod/terraform.tfstate"
  }

  tags = { managed-by = "terraform", project = var.project_path }
}
