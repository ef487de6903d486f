output "log_group_names" {
  description = "Names of the log groups the module created (the environment's Glue groups and extra_log_groups)."
  value       = sort(concat([for g in aws_cloudwatch_log_group.glue : g.name], keys(aws_cloudwatch_log_group.extra)))
}

output "log_group_arns" {
  description = "Log group ARN by log group name."
  value       = { for g in concat(values(aws_cloudwatch_log_group.glue), values(aws_cloudwatch_log_group.extra)) : g.name => g.arn }
}

output "glue_log_group_prefix" {
  description = "What the environment's Glue jobs take as --custom-logGroup-prefix (Glue 5.0)."
  value       = local.glue_log_group_prefix
}

output "glue_log_group_names" {
  description = "The environment's Glue log group by stream: output and error (Glue 5.0), logs-v2 (Glue 4.0 continuous logging, --continuous-log-logGroup)."
  value       = var.create ? local.glue_log_groups : {}
}

output "retention_in_days" {
  description = "The retention the Glue log groups got (retention_in_days, or the environment's)."
  value       = local.retention_in_days
}

output "job_log_group_name" {
  description = "The log group the metric filters and saved queries read."
  value       = local.job_log_group
}

output "metric_filter_names" {
  description = "Metric filter name by metric name (JobsStarted, JobsSucceeded, JobsFailed and extra_metric_filters)."
  value       = { for m, f in aws_cloudwatch_log_metric_filter.job : m => f.name }
}

output "metric_namespace" {
  description = "Namespace of the metrics the filters publish (Glue/ETL/<environment> unless metric_namespace is set)."
  value       = local.metric_namespace
}

output "query_definition_ids" {
  description = "Saved Logs Insights query id by query key; empty when create_query_definitions = false."
  value       = { for k, q in aws_cloudwatch_query_definition.this : k => q.query_definition_id }
}

output "query_strings" {
  description = "The Logs Insights query strings by key (successful-completions-5m, completions-by-job, failures, phase-durations, run-trace), for tests and tools; available even when no query is saved."
  value       = local.query_strings
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the log groups (the created key, or kms_key_arn). null when create = false."
  value       = var.create ? local.kms_key_arn : null
}
