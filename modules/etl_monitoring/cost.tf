# Budgets, billing alarms and cost anomaly detection for the environment.

module "cost_alerts" {
  source = "../cost_alerts"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix       = local.name_prefix
  monthly_limit_usd = var.monthly_budget_usd
  topic_arns        = module.notifications.topic_arns
  budgets = merge(
    { glue_cost = {} },
    var.dpu_hours_budget == null ? {} : { glue_dpu_hours = { limit = var.dpu_hours_budget } },
    var.s3_storage_budget_usd == null ? {} : { s3_storage = { limit = var.s3_storage_budget_usd } },
  )
  billing_alarms = {
    total   = { severity = "critical", threshold_usd = var.monthly_budget_usd * 1.5 }
    AWSGlue = { severity = "warning" }
  }
  # AWS/Billing is published every ~6 hours; the emulator tests use short periods
  billing_alarm_period_seconds = var.alarm_period_seconds < 60 ? var.alarm_period_seconds : 21600
  anomaly_threshold_usd        = var.anomaly_threshold_usd
  anomaly_monitor_arn          = var.anomaly_monitor_arn
  create_budgets               = var.aws_only_features
  create_anomaly_detection     = var.aws_only_features
  tags                         = local.tags
}
