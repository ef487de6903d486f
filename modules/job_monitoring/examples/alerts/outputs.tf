output "inbox_urls" {
  description = "The SQS inbox of each severity topic."
  value       = { for s, q in aws_sqs_queue.inbox : s => q.id }
}

output "topic_arns" {
  description = "SNS topic ARN by severity."
  value       = module.notifications.topic_arns
}

output "alarms" {
  description = "Every alarm of the job, by <job>/<signal>/<severity>."
  value       = module.job_monitoring.alarms
}

output "event_rule_names" {
  description = "The job's Glue Job State Change rule."
  value       = module.job_monitoring.event_rule_names
}

output "job" {
  description = "The watched job: its key, Glue name and the namespace its metrics go to."
  value       = { key = "orders", glue_job_name = "orders-ex", environment = "alerts", namespace = module.job_monitoring.metric_namespace }
}
