output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = try(aws_sqs_queue.dlq[0].arn, null)
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = try(aws_sqs_queue.dlq[0].url, null)
}

output "dlq_name" {
  description = "Name of the dead-letter queue (<name_prefix>-<name>-dlq), the QueueName dimension of its alarms."
  value       = try(aws_sqs_queue.dlq[0].name, null)
}

output "source_queue_arn" {
  description = "ARN of the source queue; null unless create_source_queue."
  value       = try(aws_sqs_queue.source[0].arn, null)
}

output "source_queue_url" {
  description = "URL of the source queue; null unless create_source_queue."
  value       = try(aws_sqs_queue.source[0].url, null)
}

output "source_queue_name" {
  description = "Name of the source queue (<name_prefix>-<name>); null unless create_source_queue."
  value       = try(aws_sqs_queue.source[0].name, null)
}

output "alarm_arns" {
  description = "Alarm ARN by \"<depth|age>-<severity>\", e.g. depth-critical."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "alarm_names" {
  description = "Alarm name by \"<depth|age>-<severity>\" (<name_prefix>-<name>-dlq-depth-critical, ...)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the queues (the created key, or kms_key_arn); null when create = false."
  value       = var.create ? local.kms_key_arn : null
}
