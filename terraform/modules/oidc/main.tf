locals {
  issuer_host  = replace(var.gitlab_url, "https://", "")
  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.gitlab[0].arn : var.oidc_provider_arn

  # Exact subjects are matched with StringEquals; only the ones that need a wildcard use StringLike.
  exact_subjects    = { for name, env in var.environments : name => [for s in env.subjects : s if !can(regex("[*?]", s))] }
  wildcard_subjects = { for name, env in var.environments : name => [for s in env.subjects : s if can(regex("[*?]", s))] }
}

resource "aws_iam_openid_connect_provider" "gitlab" {
  count = var.create_oidc_provider ? 1 : 0

  url            = var.gitlab_url
  client_id_list = [var.audience]
  # Optional since AWS verifies well-known CAs itself (provider >= 5.81 accepts null).
  thumbprint_list = length(var.thumbprints) > 0 ? var.thumbprints : null
  tags            = var.tags
}

data "aws_iam_policy_document" "trust" {
  for_each = var.environments

  # One statement per match style: IAM ANDs the conditions inside a statement, so exact and wildcard
  # subjects live in separate statements (either may match).
  dynamic "statement" {
    for_each = { for kind, subjects in { exact = local.exact_subjects[each.key], wildcard = local.wildcard_subjects[each.key] } : kind => subjects if length(subjects) > 0 }

    content {
      sid     = "GitLab${title(statement.key)}Subjects"
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [local.provider_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "${local.issuer_host}:aud"
        values   = [var.audience]
      }

      condition {
        test     = statement.key == "exact" ? "StringEquals" : "StringLike"
        variable = "${local.issuer_host}:sub"
        values   = statement.value
      }

      dynamic "condition" {
        for_each = length(each.value.project_ids) > 0 ? [each.value.project_ids] : []
        content {
          test     = "StringEquals"
          variable = "${local.issuer_host}:project_id"
          values   = condition.value
        }
      }

      dynamic "condition" {
        for_each = length(each.value.namespace_ids) > 0 ? [each.value.namespace_ids] : []
        content {
          test     = "StringEquals"
          variable = "${local.issuer_host}:namespace_id"
          values   = condition.value
        }
      }

      dynamic "condition" {
        for_each = each.value.require_protected_ref ? ["true"] : []
        content {
          test     = "StringEquals"
          variable = "${local.issuer_host}:ref_protected"
          values   = [condition.value]
        }
      }
    }
  }
}

resource "aws_iam_role" "environment" {
  for_each = var.environments

  name                 = coalesce(each.value.role_name, "gitlab-${each.key}")
  path                 = each.value.role_path
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = each.value.max_session_duration
  permissions_boundary = each.value.permissions_boundary_arn
  tags                 = merge(var.tags, { "gitlab-environment" = each.key })
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = {
    for pair in flatten([
      for env, cfg in var.environments : [for arn in cfg.managed_policy_arns : { key = "${env}|${arn}", env = env, arn = arn }]
    ]) : pair.key => pair
  }

  role       = aws_iam_role.environment[each.value.env].name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy" "inline" {
  for_each = {
    for pair in flatten([
      for env, cfg in var.environments : [for name, doc in cfg.inline_policies : { key = "${env}|${name}", env = env, name = name, doc = doc }]
    ]) : pair.key => pair
  }

  name   = each.value.name
  role   = aws_iam_role.environment[each.value.env].id
  policy = each.value.doc
}
