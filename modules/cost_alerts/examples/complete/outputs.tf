output "budget_names" {
  description = "Budget name by kind."
  value       = module.cost_alerts.budget_names
}

output "budget_limits" {
  description = "Monthly limit and unit of each budget."
  value       = module.cost_alerts.budget_limits
}

output "billing_alarm_names" {
  description = "EstimatedCharges alarm name by service (or total)."
  value       = module.cost_alerts.billing_alarm_names
}

output "billing_alarm_arns" {
  description = "EstimatedCharges alarm ARN by service (or total)."
  value       = module.cost_alerts.billing_alarm_arns
}

output "anomaly_subscription_arn" {
  description = "The Cost Anomaly Detection subscription."
  value       = module.cost_alerts.anomaly_subscription_arn
}

output "topic_arns" {
  description = "The stand-in severity topics the alerts notify."
  value       = { for k, t in aws_sns_topic.severity : k => t.arn }
}
