output "topic_arns" {
  description = "SNS topic ARN by severity."
  value       = module.notifications.topic_arns
}

output "topic_names" {
  description = "SNS topic name by severity."
  value       = module.notifications.topic_names
}

output "kms_key_arn" {
  description = "The key that encrypts the topics."
  value       = module.notifications.kms_key_arn
}

output "kms_key_id" {
  description = "Id of the key that encrypts the topics."
  value       = module.notifications.kms_key_id
}

output "subscription_arns" {
  description = "Subscription ARN by subscription key."
  value       = module.notifications.subscription_arns
}

output "subscriber_queue_url" {
  description = "URL of the queue that hears the critical and warning alerts."
  value       = aws_sqs_queue.subscriber.url
}

output "publisher_role_arn" {
  description = "The publishing Lambda's role, allowed to use the key."
  value       = aws_iam_role.publisher.arn
}
