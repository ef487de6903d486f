output "topic_arns" {
  description = "SNS topic ARN by severity."
  value       = module.etl_monitoring.topic_arns
}

output "dlq" {
  description = "The dead-letter queue and its alarms."
  value       = module.etl_monitoring.dlq
}

output "audit" {
  description = "The audit trail's bucket, database and workgroup."
  value       = module.etl_monitoring.audit
}

output "lambdas" {
  description = "The operations Lambdas."
  value       = module.etl_monitoring.lambdas
}
