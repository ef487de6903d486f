output "request_metrics_filter_ids" {
  description = "The FilterId dimension of each bucket entry's request metrics (<name_prefix>-<key>), by key."
  value       = { for k, m in aws_s3_bucket_metric.this : k => m.name }
}

output "storage_buckets" {
  description = "The buckets whose daily size is watched (storage_metrics), by key."
  value       = var.create ? local.storage_keys : {}
}

output "metric_namespace" {
  description = "Namespace of SecretReads and SecretReadsDenied; null when the Secrets Manager part is off."
  value       = local.secrets_on ? local.namespace : null
}

output "metric_filter_names" {
  description = "The metric filters on the trail's log group, by metric (reads, denied); empty when the Secrets Manager part is off."
  value       = { for k, f in aws_cloudwatch_log_metric_filter.secrets : k => f.name }
}

output "metric_filter_patterns" {
  description = "The filter patterns of the metric filters, by metric (reads, denied)."
  value       = { for k, f in aws_cloudwatch_log_metric_filter.secrets : k => f.pattern }
}

output "alarm_arns" {
  description = "Alarm ARN by \"<bucket key>/<signal>-<severity>\" (server_errors, client_error_rate, storage_growth) or \"<signal>-<severity>\" (secret_reads, secret_access_denied)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "alarm_names" {
  description = "Alarm name by the keys of alarm_arns: <name_prefix>-<bucket key>-s3-5xx-errors-critical, <name_prefix>-secret-access-denied-warning, ..."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "dashboard_name" {
  description = "Name of the dashboard (<name_prefix>-data-lake); null when none is created."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "dashboard_arn" {
  description = "ARN of the dashboard; null when none is created."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_arn, null)
}
