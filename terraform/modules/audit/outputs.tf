output "trail_arn" {
  description = "ARN of the trail."
  value       = aws_cloudtrail.trail.arn
}

output "bucket_name" {
  description = "The bucket holding the trail's log files (tfoidc audit trail --s3 s3://<bucket>/AWSLogs/...)."
  value       = aws_s3_bucket.trail.bucket
}

output "alert_topic_arn" {
  description = "The SNS topic every assumption of a GitLab role is sent to."
  value       = aws_sns_topic.alerts.arn
}

output "event_bus_arn" {
  description = "This account's default event bus: target_event_bus_arn of the forwarders."
  value       = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/default"
}
