output "function_name" {
  description = "Name of the function (<name_prefix>-<name>)."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "function_arn" {
  description = "ARN of the function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "role_arn" {
  description = "ARN of the execution role (for key policies that must let the function use a key, e.g. the notifications module's kms_key_user_arns)."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_name" {
  description = "Name of the execution role."
  value       = try(aws_iam_role.this[0].name, null)
}

output "log_group_name" {
  description = "Log group of the function (/aws/lambda/<function name>)."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "kms_key_arn" {
  description = "KMS key of the log group, the settings and the dead-letter queue (created or given)."
  value       = var.create ? local.kms_key_arn : null
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter target of the asynchronous invocations (the created queue or dead_letter_target_arn)."
  value       = var.create ? local.dlq_arn : null
}

output "dead_letter_queue_url" {
  description = "URL of the created dead-letter queue; null when dead_letter_target_arn is given."
  value       = try(aws_sqs_queue.dlq[0].url, null)
}

output "dead_letter_queue_name" {
  description = "Name of the created dead-letter queue (<function name>-async-dlq); null when dead_letter_target_arn is given."
  value       = try(aws_sqs_queue.dlq[0].name, null)
}

output "event_rule_arns" {
  description = "EventBridge rule ARN by the key of event_rules."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "subscription_arns" {
  description = "SNS subscription ARN by the key of sns_subscriptions."
  value       = { for k, s in aws_sns_topic_subscription.this : k => s.arn }
}

output "alarm_names" {
  description = "Alarm name by \"<signal>-<severity>\" (errors-warning, dead_letters-warning, ...); empty without alarm_topic_arns."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "alarm_arns" {
  description = "Alarm ARN by \"<signal>-<severity>\"."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}
