output "budget_names" {
  description = "Budget name by kind (glue_cost, glue_dpu_hours, s3_storage, api_gateway)."
  value       = { for k, b in aws_budgets_budget.this : k => b.name }
}

output "budget_arns" {
  description = "Budget ARN by kind."
  value       = { for k, b in aws_budgets_budget.this : k => b.arn }
}

output "budget_limits" {
  description = "Monthly limit and unit of each budget, by kind (what the budgets were planned with, also where Budgets are switched off)."
  value       = var.create ? { for k, b in var.budgets : k => "${coalesce(b.limit, var.monthly_limit_usd)} ${coalesce(b.unit, local.budget_kinds[k].unit)}" } : {}
}

output "billing_alarm_arns" {
  description = "EstimatedCharges alarm ARN by <service>-<severity> (e.g. total-critical, AWSGlue-warning)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.estimated_charges : k => a.arn }
}

output "billing_alarm_names" {
  description = "EstimatedCharges alarm name by <service>-<severity>."
  value       = { for k, a in aws_cloudwatch_metric_alarm.estimated_charges : k => a.alarm_name }
}

output "anomaly_monitor_arn" {
  description = "The Cost Anomaly Detection monitor the subscription uses (created here or given)."
  value       = var.create && var.create_anomaly_detection ? local.anomaly_monitor_arn : null
}

output "anomaly_subscription_arn" {
  description = "The Cost Anomaly Detection subscription."
  value       = try(aws_ce_anomaly_subscription.this[0].arn, null)
}
