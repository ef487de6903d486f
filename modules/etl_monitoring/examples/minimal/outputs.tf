output "topic_arns" {
  description = "SNS topic ARN by severity."
  value       = module.etl_monitoring.topic_arns
}

output "dlq" {
  description = "The dead-letter queue and its alarms."
  value       = module.etl_monitoring.dlq
}
