# The Terraform state of every environment: one bucket (versioned, private, SSE-KMS, TLS only) and one
# lock table, in the management account. Their own policies are the boundary between environments:
# each environment's plan role may read its own key and lock items, its apply role may also write them,
# and no role of one environment can touch another's, whatever its permissions in its own account
# (cross-account access needs the resource policy to allow it).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  objects    = "${local.bucket_arn}/*"
  region     = data.aws_region.current.name
  table_arn  = "arn:${data.aws_partition.current.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.lock_table_name}"

  # Terraform's S3 backend keys its lock item "<bucket>/<key>" and the state digest "<bucket>/<key>-md5".
  items = {
    for name, env in var.environments : name => {
      lock   = "${var.bucket_name}/${env.key}"
      digest = "${var.bucket_name}/${env.key}-md5"
      object = "${local.bucket_arn}/${env.key}"
      prefix = "${dirname(env.key)}/"
    }
  }
}

# --- encryption key -----------------------------------------------------------------------------------

resource "aws_kms_key" "state" {
  description             = "Terraform state of every environment"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # Without this statement nobody could manage the key: IAM policies of this account decide.
          Sid       = "AccountAdministersTheKey"
          Effect    = "Allow"
          Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root" }
          Action    = "kms:*"
          Resource  = "*"
        },
      ],
      flatten([
        for name, env in var.environments : [
          {
            Sid       = "${replace(name, "-", "")}ReadsOwnState"
            Effect    = "Allow"
            Principal = { AWS = [env.plan_role_arn, env.apply_role_arn] }
            Action    = "kms:Decrypt"
            Resource  = "*"
            Condition = {
              StringEquals = {
                "kms:EncryptionContext:aws:s3:arn" = local.items[name].object
                "kms:ViaService"                   = "s3.${local.region}.amazonaws.com"
              }
            }
          },
          {
            Sid       = "${replace(name, "-", "")}ApplyWritesOwnState"
            Effect    = "Allow"
            Principal = { AWS = env.apply_role_arn }
            Action    = "kms:GenerateDataKey"
            Resource  = "*"
            Condition = {
              StringEquals = {
                "kms:EncryptionContext:aws:s3:arn" = local.items[name].object
                "kms:ViaService"                   = "s3.${local.region}.amazonaws.com"
              }
            }
          },
        ]
      ]),
    )
  })
  tags = var.tags
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.state.key_id
}

# --- bucket ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "state" {
  bucket = var.bucket_name
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    # Objects written by the environments' roles belong to this account; ACLs are off.
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    # No bucket key: each object is encrypted under its own ARN as encryption context, so the key
    # policy can give each environment its own objects only.
    bucket_key_enabled = false
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-superseded-state"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "TLSOnly"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = [local.bucket_arn, local.objects]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
        {
          # The bucket encrypts with the state key by default; a request may not ask for anything else.
          Sid       = "StateKeyOnly"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:PutObject"
          Resource  = local.objects
          Condition = {
            StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" }
            Null            = { "s3:x-amz-server-side-encryption" = "false" }
          }
        },
        {
          Sid       = "StateKeyOnlyWhenNamed"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:PutObject"
          Resource  = local.objects
          Condition = {
            StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = aws_kms_key.state.arn }
            Null            = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = "false" }
          }
        },
      ],
      flatten([
        for name, env in var.environments : [
          {
            Sid       = "${replace(name, "-", "")}ListsOwnState"
            Effect    = "Allow"
            Principal = { AWS = [env.plan_role_arn, env.apply_role_arn] }
            Action    = "s3:ListBucket"
            Resource  = local.bucket_arn
            Condition = { StringLike = { "s3:prefix" = ["env:/", "${env.key}*"] } }
          },
          {
            Sid       = "${replace(name, "-", "")}ReadsOwnState"
            Effect    = "Allow"
            Principal = { AWS = [env.plan_role_arn, env.apply_role_arn] }
            Action    = "s3:GetObject"
            Resource  = local.items[name].object
          },
          {
            Sid       = "${replace(name, "-", "")}ApplyWritesOwnState"
            Effect    = "Allow"
            Principal = { AWS = env.apply_role_arn }
            Action    = "s3:PutObject"
            Resource  = local.items[name].object
          },
          {
            # Only the environment's apply role (and the administrators) writes under its prefix.
            Sid       = "${replace(name, "-", "")}WritesOnlyByItsApplyRole"
            Effect    = "Deny"
            Principal = "*"
            Action    = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"]
            Resource  = "${local.bucket_arn}/${local.items[name].prefix}*"
            Condition = { ArnNotEquals = { "aws:PrincipalArn" = concat([env.apply_role_arn], var.admin_arns) } }
          },
        ]
      ]),
    )
  })

  depends_on = [aws_s3_bucket_public_access_block.state]
}

# --- lock table -----------------------------------------------------------------------------------------

resource "aws_dynamodb_table" "locks" {
  name         = var.lock_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

resource "aws_dynamodb_resource_policy" "locks" {
  resource_arn = aws_dynamodb_table.locks.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = flatten([
      for name, env in var.environments : [
        {
          Sid       = "${name}ReadsOwnLockAndDigest"
          Effect    = "Allow"
          Principal = { AWS = [env.plan_role_arn, env.apply_role_arn] }
          Action    = "dynamodb:GetItem"
          Resource  = local.table_arn
          Condition = {
            "ForAllValues:StringEquals" = { "dynamodb:LeadingKeys" = [local.items[name].lock, local.items[name].digest] }
            Null                        = { "dynamodb:LeadingKeys" = "false" }
          }
        },
        {
          Sid       = "${name}ApplyWritesOwnLockAndDigest"
          Effect    = "Allow"
          Principal = { AWS = env.apply_role_arn }
          Action    = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
          Resource  = local.table_arn
          Condition = {
            "ForAllValues:StringEquals" = { "dynamodb:LeadingKeys" = [local.items[name].lock, local.items[name].digest] }
            Null                        = { "dynamodb:LeadingKeys" = "false" }
          }
        },
        {
          # Only the environment's own roles (and the administrators) write its items.
          Sid       = "${name}ItemsWrittenOnlyByItsRoles"
          Effect    = "Deny"
          Principal = "*"
          Action    = ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
          Resource  = local.table_arn
          Condition = {
            "ForAnyValue:StringEquals" = { "dynamodb:LeadingKeys" = [local.items[name].lock, local.items[name].digest] }
            ArnNotEquals = {
              "aws:PrincipalArn" = concat([env.apply_role_arn], env.plan_takes_state_lock ? [env.plan_role_arn] : [], var.admin_arns)
            }
          }
        },
        # Off by default: any branch can assume the plan role (see the oidc module's plan_takes_state_lock).
        env.plan_takes_state_lock ? [
          {
            Sid       = "${replace(name, "-", "")}PlanTakesOwnLock"
            Effect    = "Allow"
            Principal = { AWS = env.plan_role_arn }
            Action    = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
            Resource  = local.table_arn
            Condition = {
              "ForAllValues:StringEquals" = { "dynamodb:LeadingKeys" = [local.items[name].lock] }
              Null                        = { "dynamodb:LeadingKeys" = "false" }
            }
          },
        ] : [],
      ]
    ])
  })
}
