output "roles" {
  description = "Per environment: role_arn (apply) and plan_role_arn for tfoidc.toml."
  value = {
    dev     = { role_arn = module.dev_roles.apply_role_arn, plan_role_arn = module.dev_roles.plan_role_arn }
    staging = { role_arn = module.staging_roles.apply_role_arn, plan_role_arn = module.staging_roles.plan_role_arn }
    prod    = { role_arn = module.prod_roles.apply_role_arn, plan_role_arn = module.prod_roles.plan_role_arn }
  }
}

output "audiences" {
  description = "The id_tokens audiences: plan and drift jobs request plan, apply jobs request apply."
  value       = { plan = var.plan_audience, apply = local.apply_audience }
}

output "state" {
  description = "The backend every root uses: bucket, and dynamodb_table (the ARN, which the environments' accounts reach)."
  value = {
    bucket         = module.state.bucket_name
    dynamodb_table = module.state.lock_table_arn
    kms_key_arn    = module.state.kms_key_arn
  }
}

output "audit" {
  description = "The trail's bucket and the alert topic."
  value = {
    bucket      = module.audit.bucket_name
    alert_topic = module.audit.alert_topic_arn
  }
}
