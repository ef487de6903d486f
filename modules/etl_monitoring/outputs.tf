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
