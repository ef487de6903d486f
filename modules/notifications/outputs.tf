output "topic_arns" {
  description = "SNS topic ARN by severity, e.g. { critical = \"arn:aws:sns:...:<name_prefix>-critical\" }. Empty when create = false."
  value       = { for s, t in aws_sns_topic.this : s => t.arn }
}

output "topic_names" {
  description = "SNS topic name by severity."
  value       = { for s, t in aws_sns_topic.this : s => t.name }
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topics (the created key, or kms_key_arn). null when create = false."
  value       = var.create ? local.kms_key_arn : null
}

output "kms_key_id" {
  description = "Id of the created KMS key; null when the key is brought (kms_key_arn) or create = false."
  value       = try(module.kms_key[0].kms_key_id, null)
}

output "kms_key_alias" {
  description = "Alias of the created KMS key (alias/<name_prefix>-alerts); null when none is created."
  value       = try(module.kms_key[0].kms_key_alias, null)
}

output "subscription_arns" {
  description = "Subscription ARN by the key of var.subscriptions (email and https ones stay pending until confirmed)."
  value       = { for k, s in aws_sns_topic_subscription.this : k => s.arn }
}
