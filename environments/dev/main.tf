# The dev environment: its job list, its settings and the module calls (no resources of its own).

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

  environment                     = "dev"
  job_names                       = local.job_names
  alert_subscriptions             = var.alert_subscriptions
  alarm_period_seconds            = var.alarm_period_seconds
  aws_only_features               = var.aws_only_features
  anomaly_monitor_arn             = var.anomaly_monitor_arn
  monthly_budget_usd              = 100
  dpu_hours_budget                = 200
  s3_storage_budget_usd           = 10
  anomaly_threshold_usd           = 20
  audit_retention_days            = 90
  audit_bytes_scanned_cutoff      = 1073741824 # 1 GiB
  force_destroy_audit_bucket      = true
  dlq_depth_thresholds            = { warning = 1, critical = 10 }
  kms_key_deletion_window_in_days = 7
}
