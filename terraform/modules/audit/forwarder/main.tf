# In an environment's account: sends the AssumeRoleWithWebIdentity events of its GitLab roles (which
# CloudTrail records in the roles' account) to the management account's event bus, where the audit
# module's rule alerts on them.

variable "name" {
  description = "Name of the rule and of the role EventBridge uses to forward."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,40}$", var.name))
    error_message = "The name must be 3-41 lowercase letters, digits or dashes."
  }
}

variable "watched_role_arns" {
  description = "The GitLab roles of this account."
  type        = list(string)

  validation {
    condition     = length(var.watched_role_arns) > 0 && alltrue([for arn in var.watched_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "List at least one IAM role ARN."
  }
}

variable "target_event_bus_arn" {
  description = "The audit account's default event bus (the audit module's event_bus_arn output)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$", var.target_event_bus_arn))
    error_message = "The target_event_bus_arn must be an EventBridge event bus ARN."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_event_rule" "assume_role" {
  name        = var.name
  description = "AssumeRoleWithWebIdentity calls for this account's GitLab roles, forwarded to the audit account"
  event_pattern = jsonencode({
    source        = ["aws.sts"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource       = ["sts.amazonaws.com"]
      eventName         = ["AssumeRoleWithWebIdentity"]
      requestParameters = { roleArn = var.watched_role_arns }
    }
  })
  tags = var.tags
}

resource "aws_iam_role" "forward" {
  name = "${var.name}-forward"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "forward" {
  name = "put-events-to-the-audit-bus"
  role = aws_iam_role.forward.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "events:PutEvents"
        Resource = var.target_event_bus_arn
      },
    ]
  })
}

resource "aws_cloudwatch_event_target" "forward" {
  rule     = aws_cloudwatch_event_rule.assume_role.name
  arn      = var.target_event_bus_arn
  role_arn = aws_iam_role.forward.arn
}

output "role_arn" {
  description = "The role EventBridge forwards with: forwarder_role_arns of the audit module."
  value       = aws_iam_role.forward.arn
}
