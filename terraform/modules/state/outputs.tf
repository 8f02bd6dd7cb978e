output "bucket_name" {
  description = "The state bucket: bucket in every root's backend \"s3\" block."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table_arn" {
  description = "The lock table's ARN: dynamodb_table in every root's backend \"s3\" block (an ARN reaches it from the environments' accounts)."
  value       = aws_dynamodb_table.locks.arn
}

output "kms_key_arn" {
  description = "The key the bucket encrypts state with (bucket default encryption; backends need no kms_key_id)."
  value       = aws_kms_key.state.arn
}
