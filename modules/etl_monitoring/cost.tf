# Budgets, billing alarms and cost anomaly detection for the environment.

module "cost_alerts" {
  source = "../cost_alerts"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  create            = var.create
  name_prefix       = local.name_prefix
  monthly_limit_usd = var.monthly_limit_usd
  alarm_topic_arns  = module.notifications.topic_arns
  budgets           = var.budgets
  # in a shared account the owner's budgets guard the account, the others' count their own tagged spend
  budget_tags = var.owns_account_resources ? {} : { Environment = var.environment }
  # EstimatedCharges is account-wide: its alarms belong to the environment that owns the account's resources
  create_billing_alarms = var.owns_account_resources
  alarms                = var.billing_alarms
  alarm_period_seconds  = var.alarm_period_seconds
  anomaly_threshold_usd = var.anomaly_threshold_usd
  anomaly_monitor_arn   = var.anomaly_monitor_arn
  create_budgets        = var.aws_only_features
  # the monitor is one per account: another environment of the account subscribes to the owner's
  create_anomaly_detection = var.aws_only_features && (var.owns_account_resources || var.anomaly_monitor_arn != null)
  tags                     = local.tags
}
