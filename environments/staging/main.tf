# The staging environment: its job list, its settings and the module calls (no resources of its own).

locals {
  # The Glue jobs of this environment. Their alarms and dashboards come from job_monitoring; the
  # operations Lambdas may retry them and the health check and weekly report cover them.
  job_names = ["customer_import"]
}

module "monitoring" {
  source = "../../modules/etl_monitoring"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment                     = "staging"
  job_names                       = local.job_names
  alert_subscriptions             = var.alert_subscriptions
  alarm_period_seconds            = var.alarm_period_seconds
  aws_only_features               = var.aws_only_features
  anomaly_monitor_arn             = var.anomaly_monitor_arn
  monthly_budget_usd              = 300
  dpu_hours_budget                = 600
  s3_storage_budget_usd           = 30
  anomaly_threshold_usd           = 50
  audit_retention_days            = 365
  kms_key_deletion_window_in_days = 14
  manage_xray_encryption          = false # one setting per account and region: prod owns it
}
