output "name_prefix" {
  description = "Prefix of every resource name."
  value       = local.name_prefix
}

output "topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info)."
  value       = module.notifications.topic_arns
}

output "alerts_kms_key_arn" {
  description = "The customer-managed key that encrypts the alert topics."
  value       = module.notifications.kms_key_arn
}

output "log_group_names" {
  description = "The Glue log groups, by name."
  value       = module.log_groups.log_group_names
}

output "metric_namespace" {
  description = "Namespace of the pipeline's custom metrics (docs/metrics.md)."
  value       = module.log_groups.metric_namespace
}

output "dlq" {
  description = "The failed-records dead-letter queue, its source queue and its alarms."
  value = {
    dlq_name          = module.dead_letter_queue.dlq_name
    dlq_url           = module.dead_letter_queue.dlq_url
    dlq_arn           = module.dead_letter_queue.dlq_arn
    source_queue_name = module.dead_letter_queue.source_queue_name
    source_queue_url  = module.dead_letter_queue.source_queue_url
    alarm_arns        = module.dead_letter_queue.alarm_arns
  }
}

output "audit" {
  description = "The audit trail: the jobs' --audit_uri, the bucket, the Athena workgroup and Glue database, the job roles' writer policy."
  value = {
    audit_uri          = module.audit_trail.audit_uri
    bucket             = module.audit_trail.bucket_name
    database           = module.audit_trail.database_name
    workgroup          = module.audit_trail.workgroup_name
    named_query_ids    = module.audit_trail.named_query_ids
    writer_policy_json = module.audit_trail.writer_policy_json
  }
}

output "cost_alerts" {
  description = "Budgets and billing alarms of the environment."
  value = {
    budget_limits       = module.cost_alerts.budget_limits
    billing_alarm_names = module.cost_alerts.billing_alarm_names
  }
}

output "tracing" {
  description = "X-Ray groups by pipeline, their filter expressions, and the job roles' trace policy."
  value = {
    group_names        = module.tracing.group_names
    filter_expressions = module.tracing.filter_expressions
    job_policy_json    = module.tracing.job_policy_json
  }
}

output "lambdas" {
  description = "The operations Lambdas: function names and ARNs."
  value = {
    for name, m in { remediation = module.remediation, weekly_report = module.weekly_report, health_check = module.health_check } :
    name => { function_name = m.function_name, function_arn = m.function_arn, role_arn = m.role_arn }
  }
}

output "glue_log_group_prefix" {
  description = "The environment's Glue jobs take this as --custom-logGroup-prefix (Glue 5.0); their logs go to <prefix>/output and <prefix>/error."
  value       = module.log_groups.glue_log_group_prefix
}

output "job_log_group_name" {
  description = "The log group with the jobs' JSON lines (metric filters, saved queries, dashboards read it)."
  value       = module.log_groups.job_log_group_name
}
