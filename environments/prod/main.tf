# The prod environment: its job list, its settings and the module calls (no resources of its own).

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

  environment                     = "prod"
  job_names                       = local.job_names
  alert_subscriptions             = var.alert_subscriptions
  alarm_period_seconds            = var.alarm_period_seconds
  aws_only_features               = var.aws_only_features
  anomaly_monitor_arn             = var.anomaly_monitor_arn
  monthly_budget_usd              = 2000
  dpu_hours_budget                = 4000
  s3_storage_budget_usd           = 200
  anomaly_threshold_usd           = 200
  audit_retention_days            = 2555        # 7 years
  audit_bytes_scanned_cutoff      = 10737418240 # 10 GiB
  remediation_opt_out_jobs        = []
  kms_key_deletion_window_in_days = 30
}
