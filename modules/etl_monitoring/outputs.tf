output "name_prefix" {
  description = "Prefix of every resource name."
  value       = var.create ? local.name_prefix : null
}

output "kms_key_arn" {
  description = "The environment's key: it encrypts the topics, queues, log groups, audit trail, Lambdas and traces."
  value       = var.create ? local.kms_key_arn : null
}

output "topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info): subscribe pagers, mail and chat here."
  value       = module.notifications.topic_arns
}

output "log_group_names" {
  description = "The environment's log groups the log_groups module created."
  value       = module.log_groups.log_group_names
}

output "glue_log_group_prefix" {
  description = "The environment's Glue jobs take this as --custom-logGroup-prefix (Glue 5.0); their logs go to <prefix>/output and <prefix>/error."
  value       = module.log_groups.glue_log_group_prefix
}

output "glue_log_group_names" {
  description = "The environment's Glue log group by stream: output, error (Glue 5.0), logs-v2 (Glue 4.0)."
  value       = module.log_groups.glue_log_group_names
}

output "job_log_group_name" {
  description = "The log group with the jobs' JSON lines (metric filters, saved queries, dashboards read it)."
  value       = module.log_groups.job_log_group_name
}

output "metric_namespace" {
  description = "Namespace of the pipeline's custom metrics (docs/metrics.md)."
  value       = module.log_groups.metric_namespace
}

output "dlq" {
  description = "The failed-records dead-letter queue, its source queue and its alarms."
  value = var.create ? {
    dlq_name          = module.dead_letter_queue.dlq_name
    dlq_url           = module.dead_letter_queue.dlq_url
    dlq_arn           = module.dead_letter_queue.dlq_arn
    source_queue_name = module.dead_letter_queue.source_queue_name
    source_queue_url  = module.dead_letter_queue.source_queue_url
    alarm_arns        = module.dead_letter_queue.alarm_arns
  } : null
}

output "jobs" {
  description = "The monitored jobs: Glue job name by key, their alarms (by job and signal), dashboards and their bodies (python -m tools.dashboard_preview renders them)."
  value = var.create ? {
    glue_job_names   = local.glue_job_names
    alarms           = module.job_monitoring.alarms
    dashboard_names  = module.job_monitoring.dashboard_names
    dashboard_bodies = module.job_monitoring.dashboard_bodies
  } : null
}

output "glue_jobs" {
  description = "The Glue jobs this environment deploys, by key: job name and ARN, role, default arguments, and the price of a run."
  value = { for k, m in module.glue_job : k => {
    job_name          = m.job_name
    job_arn           = m.job_arn
    role_arn          = m.role_arn
    default_arguments = m.default_arguments
    usd_per_hour      = m.usd_per_hour
    max_usd_per_run   = m.max_usd_per_run
  } }
}

output "audit" {
  description = "The audit trail: the jobs' --audit_uri, the bucket, the Athena workgroup and Glue database, the job roles' writer policy."
  value = var.create ? {
    audit_uri          = module.audit_trail.audit_uri
    bucket             = module.audit_trail.bucket_name
    database           = module.audit_trail.database_name
    workgroup          = module.audit_trail.workgroup_name
    named_query_ids    = module.audit_trail.named_query_ids
    writer_policy_json = module.audit_trail.writer_policy_json
  } : null
}

output "cost_alerts" {
  description = "Budgets and billing alarms of the environment."
  value = var.create ? {
    budget_limits       = module.cost_alerts.budget_limits
    billing_alarm_names = module.cost_alerts.billing_alarm_names
    anomaly_monitor_arn = module.cost_alerts.anomaly_monitor_arn
  } : null
}

output "tracing" {
  description = "X-Ray groups by pipeline, their filter expressions, and the job roles' trace policy."
  value = var.create ? {
    group_names        = module.tracing.group_names
    filter_expressions = module.tracing.filter_expressions
    job_policy_json    = module.tracing.job_policy_json
  } : null
}

output "lambdas" {
  description = "The operations Lambdas: function names and ARNs, roles, and their alarms."
  value = var.create ? {
    for name, m in { remediation = module.remediation, weekly_report = module.weekly_report, health_check = module.health_check } :
    name => { function_name = m.function_name, function_arn = m.function_arn, role_arn = m.role_arn, alarm_names = m.alarm_names }
  } : null
}

output "log_retention_in_days" {
  description = "Retention of the environment's log groups (Glue and Lambda), in days."
  value       = var.create ? local.log_retention_in_days : null
}

output "data_lake" {
  description = "The data lake's monitoring: request-metrics FilterIds by bucket key, alarm names, the dashboard, the security metrics' namespace (null when off)."
  value = local.data_lake_on ? {
    request_metrics_filter_ids = module.data_lake_monitoring.request_metrics_filter_ids
    alarm_names                = module.data_lake_monitoring.alarm_names
    dashboard_name             = module.data_lake_monitoring.dashboard_name
    metric_namespace           = module.data_lake_monitoring.metric_namespace
  } : null
}
