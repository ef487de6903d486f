# The prod environment: its jobs and its settings, and one call of the composition. Variables, outputs,
# providers and versions are shared by every environment (links to ../shared).
#
# prod has its own account, so it owns what exists once per account (the X-Ray encryption setting, the Cost
# Anomaly Detection monitor, the EstimatedCharges alarms).

locals {
  lake = "s3://glue-etl-prod-data-lake"

  # The Glue jobs of the environment: every alarm and dashboard comes from this list.
  jobs = {
    customer_import = {
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
      slo                     = { success_rate_percent = 99, freshness_percent = 95 }
    }
  }

  # The jobs the environment deploys (modules/glue_job): the framework's example job (../shared/example_job.tf).
  glue_jobs = {
    customer_import = merge(local.example_job, { number_of_workers = 4 })
  }
}

module "monitoring" {
  source = "../../modules/etl_monitoring"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment = "prod"
  jobs        = local.jobs
  glue_jobs   = local.glue_jobs

  monthly_limit_usd = 2000
  budgets = {
    glue_cost      = {}
    glue_dpu_hours = { limit = 4000 }
    s3_storage     = { limit = 200 }
    api_gateway    = { limit = 100 } # the external APIs the jobs call through API Gateway (the notes' request charges)
  }
  anomaly_threshold_usd  = 200
  owns_account_resources = true

  audit_retention_days            = 2555        # 7 years
  audit_bytes_scanned_cutoff      = 10737418240 # 10 GiB
  kms_key_deletion_window_in_days = 30

  alert_subscriptions  = var.alert_subscriptions
  alarm_period_seconds = var.alarm_period_seconds
  aws_only_features    = var.aws_only_features
  anomaly_monitor_arn  = var.anomaly_monitor_arn
  # the data lake and the account's trail, where the environment names them (terraform.tfvars)
  data_lake_buckets         = var.data_lake_buckets
  cloudtrail_log_group_name = var.cloudtrail_log_group_name
}
