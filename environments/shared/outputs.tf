output "topic_arns" {
  description = "SNS topic ARN by severity: subscribe pagers, mail and chat here."
  value       = module.monitoring.topic_arns
}

output "log_group_names" {
  description = "The Glue log groups and their retention."
  value       = module.monitoring.log_group_names
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

output "dashboard_names" {
  description = "The CloudWatch dashboards generated from the job list."
  value       = module.jobs.dashboard_names
}

output "dashboard_bodies" {
  description = "The dashboards' JSON bodies, by name (python -m tools.dashboard_preview renders them)."
  value       = module.jobs.dashboard_bodies
}

output "job_alarms" {
  description = "Every alarm of the job monitoring, by job and signal."
  value       = module.jobs.alarms
}
