output "request_metrics_filter_ids" {
  description = "FilterId of each bucket entry's request metrics."
  value       = module.data_lake_monitoring.request_metrics_filter_ids
}

output "storage_buckets" {
  description = "The buckets with a storage-growth alarm, by key."
  value       = module.data_lake_monitoring.storage_buckets
}

output "metric_namespace" {
  description = "Namespace of the secret-read metrics."
  value       = module.data_lake_monitoring.metric_namespace
}

output "metric_filter_names" {
  description = "The metric filters on the trail's log group."
  value       = module.data_lake_monitoring.metric_filter_names
}

output "metric_filter_patterns" {
  description = "Their filter patterns."
  value       = module.data_lake_monitoring.metric_filter_patterns
}

output "alarm_arns" {
  description = "Alarm ARN by <bucket key>/<signal>-<severity> or <signal>-<severity>."
  value       = module.data_lake_monitoring.alarm_arns
}

output "alarm_names" {
  description = "Alarm name by the same keys."
  value       = module.data_lake_monitoring.alarm_names
}

output "dashboard_name" {
  description = "The data-lake dashboard."
  value       = module.data_lake_monitoring.dashboard_name
}

output "topic_arns" {
  description = "The severity topics the alarms notify."
  value       = module.notifications.topic_arns
}

output "bucket_names" {
  description = "The example's data-lake buckets, by zone."
  value       = { for k, b in aws_s3_bucket.lake : k => b.id }
}

output "trail_log_group_name" {
  description = "The stand-in for the trail's log group."
  value       = aws_cloudwatch_log_group.trail.name
}

output "job_role_name" {
  description = "The Glue job role whose secret reads are counted."
  value       = aws_iam_role.job.name
}
