# The outputs every environment gives (environments/<env>/outputs.tf links here).

output "name_prefix" {
  description = "Prefix of every resource name of the environment."
  value       = module.monitoring.name_prefix
}

output "topic_arns" {
  description = "SNS topic ARN by severity: subscribe pagers, mail and chat here."
  value       = module.monitoring.topic_arns
}

output "kms_key_arn" {
  description = "The environment's one key."
  value       = module.monitoring.kms_key_arn
}

output "log_group_names" {
  description = "The environment's log groups."
  value       = module.monitoring.log_group_names
}

output "log_retention_in_days" {
  description = "Retention of the environment's log groups, in days."
  value       = module.monitoring.log_retention_in_days
}

output "glue_log_group_names" {
  description = "The environment's Glue log group by stream (output, error, logs-v2)."
  value       = module.monitoring.glue_log_group_names
}

output "job_log_group_name" {
  description = "The log group with the jobs' JSON lines."
  value       = module.monitoring.job_log_group_name
}

output "metric_namespace" {
  description = "Namespace the jobs publish to (docs/metrics.md)."
  value       = module.monitoring.metric_namespace
}

output "dlq" {
  description = "The failed-records dead-letter queue, its source queue and its alarms."
  value       = module.monitoring.dlq
}

output "audit" {
  description = "The audit trail: the jobs' --audit_uri, bucket, Athena workgroup and Glue database, the job roles' writer policy."
  value       = module.monitoring.audit
}

output "lambdas" {
  description = "The operations Lambdas (remediation, weekly report, health check)."
  value       = module.monitoring.lambdas
}

output "glue_jobs" {
  description = "The Glue jobs the environment deploys: name, ARN, role, default arguments, price of a run."
  value       = module.monitoring.glue_jobs
}

output "glue_job_names" {
  description = "The Glue job name of every monitored job, by key."
  value       = try(module.monitoring.jobs.glue_job_names, {})
}

output "dashboard_names" {
  description = "The CloudWatch dashboards generated from the job list."
  value       = try(module.monitoring.jobs.dashboard_names, {})
}

output "dashboard_bodies" {
  description = "The dashboards' JSON bodies, by name (python -m tools.dashboard_preview renders them)."
  value       = try(module.monitoring.jobs.dashboard_bodies, {})
}

output "job_alarms" {
  description = "Every alarm of the job monitoring, by job and signal."
  value       = try(module.monitoring.jobs.alarms, {})
}

output "cost_alerts" {
  description = "Budgets, billing alarms and the account's anomaly monitor (give it to the other environments of the account)."
  value       = module.monitoring.cost_alerts
}

output "tracing" {
  description = "X-Ray groups by pipeline, their filter expressions, and the job roles' trace policy."
  value       = module.monitoring.tracing
}

output "glue_log_group_prefix" {
  description = "The log group prefix the environment's jobs write to (--custom-logGroup-prefix): point jobs deployed elsewhere at it."
  value       = module.monitoring.glue_log_group_prefix
}
