# One environment's GitLab roles, in that environment's own AWS account:
# - <prefix>-<env>-plan: any branch of the project (plan audience only); reads the workload's
#   configuration and its own state, never writes anything;
# - <prefix>-<env>-apply: protected refs only, written out in full (apply audience only); deploys the
#   workload in this account and writes its own state, nothing else's.
# The state bucket, lock table and key live in the management account: their own policies (the state
# module) grant each role its environment's items, so a role cannot reach another environment's state
# even with broad permissions in its account.

locals {
  issuer_host  = trimprefix(var.gitlab_url, "https://")
  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.gitlab[0].arn : var.oidc_provider_arn

  plan_subjects  = length(var.plan_subjects) > 0 ? var.plan_subjects : ["project_path:${var.project_path}:ref_type:branch:ref:*"]
  apply_subjects = length(var.apply_subjects) > 0 ? var.apply_subjects : ["project_path:${var.project_path}:ref_type:branch:ref:main"]

  state_bucket_arn = "arn:aws:s3:::${var.state.bucket}"
  state_object_arn = "arn:aws:s3:::${var.state.bucket}/${var.state.key}"
  # Terraform's S3 backend keys its lock item "<bucket>/<key>" and the state digest "<bucket>/<key>-md5".
  lock_id   = "${var.state.bucket}/${var.state.key}"
  digest_id = "${var.state.bucket}/${var.state.key}-md5"
  region    = split(":", var.state.kms_key_arn)[3]
}

resource "aws_iam_openid_connect_provider" "gitlab" {
  count = var.create_oidc_provider ? 1 : 0

  url            = var.gitlab_url
  client_id_list = [var.plan_audience, var.apply_audience]
  # Optional since AWS verifies well-known CAs itself (provider >= 5.81 accepts null).
  thumbprint_list = length(var.thumbprints) > 0 ? var.thumbprints : null
  tags            = var.tags
}

data "aws_iam_policy_document" "plan_trust" {
  statement {
    sid     = "GitLabPlanJobs"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = [var.plan_audience]
    }

    condition {
      test     = "StringLike"
      variable = "${local.issuer_host}:sub"
      values   = local.plan_subjects
    }
  }
}

data "aws_iam_policy_document" "apply_trust" {
  statement {
    sid     = "GitLabProtectedRefs"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = [var.apply_audience]
    }

    # StringEquals: the subjects are literal (the variable's validation refuses wildcards).
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = local.apply_subjects
    }
  }
}

resource "aws_iam_role" "plan" {
  name                 = "${var.name_prefix}-${var.environment}-plan"
  path                 = var.role_path
  assume_role_policy   = data.aws_iam_policy_document.plan_trust.json
  max_session_duration = var.max_session_duration
  tags                 = merge(var.tags, { "gitlab-environment" = var.environment, "tfoidc-role" = "plan" })

  lifecycle {
    precondition {
      condition     = var.plan_audience != var.apply_audience
      error_message = "plan_audience and apply_audience must differ: a plan job's token must not be accepted by the apply role."
    }
    precondition {
      condition     = var.create_oidc_provider || var.oidc_provider_arn != null
      error_message = "Set oidc_provider_arn when create_oidc_provider is false."
    }
  }
}

resource "aws_iam_role" "apply" {
  name                 = "${var.name_prefix}-${var.environment}-apply"
  path                 = var.role_path
  assume_role_policy   = data.aws_iam_policy_document.apply_trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.apply_permissions_boundary_arn
  tags                 = merge(var.tags, { "gitlab-environment" = var.environment, "tfoidc-role" = "apply" })
}

# --- plan: read the workload's configuration and this environment's state --------------------------

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ReadWorkloadConfiguration"
    actions   = var.plan_read_actions
    resources = ["*"]
  }

  statement {
    sid       = "ListOwnStateOnly"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]

    # The S3 backend lists "env:/" to find workspaces; nothing else of the bucket is listed.
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["env:/", "${var.state.key}*"]
    }
  }

  statement {
    sid       = "ReadOwnState"
    actions   = ["s3:GetObject"]
    resources = [local.state_object_arn]
  }

  statement {
    sid       = "DecryptOwnState"
    actions   = ["kms:Decrypt"]
    resources = [var.state.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [local.state_object_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadOwnLockAndDigest"
    actions   = ["dynamodb:GetItem"]
    resources = [var.state.lock_table_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.lock_id, local.digest_id]
    }

    # ForAllValues is true for a request without the key: require it.
    condition {
      test     = "Null"
      variable = "dynamodb:LeadingKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "read-workload-and-own-state"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

data "aws_iam_policy_document" "plan_lock" {
  count = var.plan_takes_state_lock ? 1 : 0

  statement {
    sid       = "TakeOwnStateLock"
    actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = [var.state.lock_table_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.lock_id]
    }

    condition {
      test     = "Null"
      variable = "dynamodb:LeadingKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role_policy" "plan_lock" {
  count = var.plan_takes_state_lock ? 1 : 0

  name   = "own-state-lock"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_lock[0].json
}

data "aws_iam_policy_document" "plan_chain" {
  count = length(var.plan_chain_role_arns) > 0 ? 1 : 0

  statement {
    sid       = "AssumePlanChainRoles"
    actions   = ["sts:AssumeRole"]
    resources = var.plan_chain_role_arns
  }
}

resource "aws_iam_role_policy" "plan_chain" {
  count = length(var.plan_chain_role_arns) > 0 ? 1 : 0

  name   = "assume-plan-chain-roles"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_chain[0].json
}

# --- apply: deploy the workload in this account and write this environment's state -----------------

data "aws_iam_policy_document" "apply_state" {
  statement {
    sid       = "ListOwnStateOnly"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["env:/", "${var.state.key}*"]
    }
  }

  statement {
    sid       = "ReadWriteOwnState"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [local.state_object_arn]
  }

  statement {
    sid       = "EncryptOwnState"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.state.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [local.state_object_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "OwnLockAndDigest"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = [var.state.lock_table_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.lock_id, local.digest_id]
    }

    condition {
      test     = "Null"
      variable = "dynamodb:LeadingKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role_policy" "apply_state" {
  name   = "own-state"
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.apply_state.json
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = toset(var.apply_managed_policy_arns)

  role       = aws_iam_role.apply.name
  policy_arn = each.value
}

data "aws_iam_policy_document" "apply_chain" {
  count = length(var.apply_chain_role_arns) > 0 ? 1 : 0

  statement {
    sid       = "AssumeApplyChainRoles"
    actions   = ["sts:AssumeRole"]
    resources = var.apply_chain_role_arns
  }
}

resource "aws_iam_role_policy" "apply_chain" {
  count = length(var.apply_chain_role_arns) > 0 ? 1 : 0

  name   = "assume-apply-chain-roles"
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.apply_chain[0].json
}
