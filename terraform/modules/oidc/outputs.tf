output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider the roles trust."
  value       = local.provider_arn
}

output "plan_role_arn" {
  description = "The read-only plan role: plan_role_arn in tfoidc.toml."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arn" {
  description = "The apply role (protected refs, apply audience): role_arn in tfoidc.toml."
  value       = aws_iam_role.apply.arn
}
