output "log_group_names" {
  description = "The log groups created."
  value       = module.log_groups.log_group_names
}

output "log_group_arns" {
  description = "Log group ARN by name."
  value       = module.log_groups.log_group_arns
}

output "retention_in_days" {
  description = "Retention of the Glue log groups (staging: 30)."
  value       = module.log_groups.retention_in_days
}

output "job_log_group_name" {
  description = "The log group the filters read."
  value       = module.log_groups.job_log_group_name
}

output "metric_filter_names" {
  description = "Metric filter name by metric."
  value       = module.log_groups.metric_filter_names
}

output "metric_namespace" {
  description = "Namespace of the filters' metrics."
  value       = module.log_groups.metric_namespace
}

output "query_definition_ids" {
  description = "Saved query id by key (empty on the emulators)."
  value       = module.log_groups.query_definition_ids
}

output "query_strings" {
  description = "The Logs Insights queries."
  value       = module.log_groups.query_strings
}

output "kms_key_arn" {
  description = "The key that encrypts the log groups."
  value       = module.log_groups.kms_key_arn
}

output "glue_log_group_prefix" {
  description = "What the environment's Glue 5.0 jobs take as --custom-logGroup-prefix."
  value       = module.log_groups.glue_log_group_prefix
}

output "glue_log_group_names" {
  description = "The environment's Glue log groups by stream."
  value       = module.log_groups.glue_log_group_names
}
