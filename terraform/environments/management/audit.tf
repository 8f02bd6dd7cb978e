locals {
  gitlab_roles = {
    dev     = [module.dev_roles.plan_role_arn, module.dev_roles.apply_role_arn]
    staging = [module.staging_roles.plan_role_arn, module.staging_roles.apply_role_arn]
    prod    = [module.prod_roles.plan_role_arn, module.prod_roles.apply_role_arn]
  }
}

module "audit" {
  source = "../../modules/audit"

  name                  = "${var.name_prefix}-audit"
  bucket_name           = var.audit_bucket_name
  watched_role_arns     = flatten(values(local.gitlab_roles))
  is_organization_trail = var.organization_trail
  forwarder_role_arns   = [module.dev_audit_forwarder.role_arn, module.staging_audit_forwarder.role_arn, module.prod_audit_forwarder.role_arn]
  alert_emails          = var.alert_emails
  tags                  = local.tags
}

# CloudTrail records an AssumeRoleWithWebIdentity in the account of the role: each environment's
# account forwards its GitLab roles' events to the management account's bus, where module.audit alerts.
module "dev_audit_forwarder" {
  source    = "../../modules/audit/forwarder"
  providers = { aws = aws.dev }

  name                 = "${var.name_prefix}-gitlab-role-assumed"
  watched_role_arns    = local.gitlab_roles.dev
  target_event_bus_arn = module.audit.event_bus_arn
  tags                 = local.tags
}

module "staging_audit_forwarder" {
  source    = "../../modules/audit/forwarder"
  providers = { aws = aws.staging }

  name                 = "${var.name_prefix}-gitlab-role-assumed"
  watched_role_arns    = local.gitlab_roles.staging
  target_event_bus_arn = module.audit.event_bus_arn
  tags                 = local.tags
}

module "prod_audit_forwarder" {
  source    = "../../modules/audit/forwarder"
  providers = { aws = aws.prod }

  name                 = "${var.name_prefix}-gitlab-role-assumed"
  watched_role_arns    = local.gitlab_roles.prod
  target_event_bus_arn = module.audit.event_bus_arn
  tags                 = local.tags
}
