# The staging environment: its jobs and its settings, and one call of the composition. Variables, outputs,
# providers and versions are shared by every environment (links to ../shared).
#
# staging shares the non-production account with dev, which owns what exists once per account (the X-Ray
# encryption setting, the Cost Anomaly Detection monitor, the EstimatedCharges alarms): staging subscribes
# to dev's anomaly monitor through anomaly_monitor_arn.

locals {
  lake = "s3://glue-etl-staging-data-lake"

  # The Glue jobs of the environment: every alarm and dashboard comes from this list.
  jobs = {
    customer_import = {
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
      slo                     = { success_rate_percent = 95 }
    }
  }

  # The jobs the environment deploys (modules/glue_job): the framework's example job (../shared/example_job.tf).
  glue_jobs = {
    customer_import = local.example_job
  }
}

module "monitoring" {
  source = "../../modules/etl_monitoring"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment = "staging"
  jobs        = local.jobs
  glue_jobs   = local.glue_jobs

  monthly_limit_usd = 300
  budgets = {
    glue_cost      = {}
    glue_dpu_hours = { limit = 600 }
    s3_storage     = { limit = 30 }
    api_gateway    = { limit = 20 } # the external APIs the jobs call through API Gateway (the notes' request charges)
  }
  anomaly_threshold_usd  = 50
  owns_account_resources = false # dev owns the account's singletons

  audit_retention_days            = 365
  kms_key_deletion_window_in_days = 14

  alert_subscriptions  = var.alert_subscriptions
  alarm_period_seconds = var.alarm_period_seconds
  aws_only_features    = var.aws_only_features
  anomaly_monitor_arn  = var.anomaly_monitor_arn
  # the data lake and the account's trail, where the environment names them (terraform.tfvars)
  data_lake_buckets         = var.data_lake_buckets
  cloudtrail_log_group_name = var.cloudtrail_log_group_name
}
