# The prod environment: its job list, its settings and the module calls (no resources of its own).

locals {
  # The Glue jobs of this environment: every alarm and dashboard of job_monitoring is generated from
  # this list, and the operations Lambdas may retry, check and report on these jobs.
  jobs = {
    customer_import = {
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
      slo                     = { success_rate_percent = 99, freshness_percent = 95 }
    }
  }
}

module "monitoring" {
  source = "../../modules/etl_monitoring"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment                     = "prod"
  job_names                       = [for key, job in local.jobs : try(job.glue_job_name, key)]
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

module "jobs" {
  source = "../../modules/job_monitoring"

  name_prefix      = module.monitoring.name_prefix
  environment      = "prod"
  jobs             = local.jobs
  alarm_topic_arns = module.monitoring.topic_arns
  # each signal keeps its own period on AWS; the emulator tests shorten every per-run alarm
  alarm_period_seconds = var.alarm_period_seconds < 60 ? var.alarm_period_seconds : null
  dlq_queue_names      = [module.monitoring.dlq.dlq_name]
  glue_log_group_names = [module.monitoring.job_log_group_name]
}
