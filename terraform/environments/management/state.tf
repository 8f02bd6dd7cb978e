module "state" {
  source = "../../modules/state"

  bucket_name     = var.state_bucket_name
  lock_table_name = var.lock_table_name
  admin_arns      = var.state_admin_arns
  environments = {
    dev = {
      key                   = local.state_keys.dev
      plan_role_arn         = module.dev_roles.plan_role_arn
      apply_role_arn        = module.dev_roles.apply_role_arn
      plan_takes_state_lock = false
    }
    staging = {
      key                   = local.state_keys.staging
      plan_role_arn         = module.staging_roles.plan_role_arn
      apply_role_arn        = module.staging_roles.apply_role_arn
      plan_takes_state_lock = false
    }
    prod = {
      key                   = local.state_keys.prod
      plan_role_arn         = module.prod_roles.plan_role_arn
      apply_role_arn        = module.prod_roles.apply_role_arn
      plan_takes_state_lock = false
    }
  }
  tags = local.tags
}
