# Each environment's GitLab roles live in the environment's own account: a role of one environment has
# no permission in another's account, and the state's own policies (state.tf) give it its own state only.

module "dev_roles" {
  source    = "../../modules/oidc"
  providers = { aws = aws.dev }

  gitlab_url     = var.gitlab_url
  name_prefix    = var.name_prefix
  environment    = "dev"
  project_path   = var.project_path
  plan_audience  = var.plan_audience
  apply_audience = local.apply_audience
  state = {
    bucket         = module.state.bucket_name
    key            = local.state_keys.dev
    lock_table_arn = module.state.lock_table_arn
    kms_key_arn    = module.state.kms_key_arn
  }
  tags = local.tags
}

module "staging_roles" {
  source    = "../../modules/oidc"
  providers = { aws = aws.staging }

  gitlab_url     = var.gitlab_url
  name_prefix    = var.name_prefix
  environment    = "staging"
  project_path   = var.project_path
  plan_audience  = var.plan_audience
  apply_audience = local.apply_audience
  state = {
    bucket         = module.state.bucket_name
    key            = local.state_keys.staging
    lock_table_arn = module.state.lock_table_arn
    kms_key_arn    = module.state.kms_key_arn
  }
  tags = local.tags
}

module "prod_roles" {
  source    = "../../modules/oidc"
  providers = { aws = aws.prod }

  gitlab_url     = var.gitlab_url
  name_prefix    = var.name_prefix
  environment    = "prod"
  project_path   = var.project_path
  plan_audience  = var.plan_audience
  apply_audience = local.apply_audience
  state = {
    bucket         = module.state.bucket_name
    key            = local.state_keys.prod
    lock_table_arn = module.state.lock_table_arn
    kms_key_arn    = module.state.kms_key_arn
  }
  tags = local.tags
}
