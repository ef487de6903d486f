output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.dead_letter_queue.dlq_arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.dead_letter_queue.dlq_url
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = module.dead_letter_queue.dlq_name
}

output "source_queue_arn" {
  description = "ARN of the source queue."
  value       = module.dead_letter_queue.source_queue_arn
}

output "source_queue_url" {
  description = "URL of the source queue."
  value       = module.dead_letter_queue.source_queue_url
}

output "source_queue_name" {
  description = "Name of the source queue."
  value       = module.dead_letter_queue.source_queue_name
}

output "alarm_arns" {
  description = "Alarm ARN by <depth|age>-<severity>."
  value       = module.dead_letter_queue.alarm_arns
}

output "alarm_names" {
  description = "Alarm name by <depth|age>-<severity>."
  value       = module.dead_letter_queue.alarm_names
}

output "topic_arns" {
  description = "The severity topics the alarms notify."
  value       = module.notifications.topic_arns
}

output "event_rule_arn" {
  description = "The rule whose undeliverable events dead-letter into the queue."
  value       = aws_cloudwatch_event_rule.glue_failed.arn
}

output "kms_key_arn" {
  description = "The key that encrypts the queues."
  value       = module.dead_letter_queue.kms_key_arn
}
