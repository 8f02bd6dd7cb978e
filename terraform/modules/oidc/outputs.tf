output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider the roles trust."
  value       = local.provider_arn
}

output "role_arns" {
  description = "Role ARN per environment: put these in tfoidc.toml (environments.<name>.role_arn)."
  value       = { for name, role in aws_iam_role.environment : name => role.arn }
}
