# The dev environment: its job list, its settings and the module calls (no resources of its own).

locals {
  # The Glue jobs of this environment: every alarm and dashboard of job_monitoring is generated from
  # this list, and the operations Lambdas may retry, check and report on these jobs.
  jobs = {
    customer_import = {
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
    }
  }
}

module "monitoring" {
  source = "../../modules/etl_monitoring"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment                     = "dev"
  job_names                       = [for key, job in local.jobs : try(job.glue_job_name, key)]
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

module "jobs" {
  source = "../../modules/job_monitoring"

  name_prefix      = module.monitoring.name_prefix
  environment      = "dev"
  jobs             = local.jobs
  alarm_topic_arns = module.monitoring.topic_arns
  # each signal keeps its own period on AWS; the emulator tests shorten every per-run alarm
  alarm_period_seconds = var.alarm_period_seconds < 60 ? var.alarm_period_seconds : null
  dlq_queue_names      = [module.monitoring.dlq.dlq_name]
  glue_log_group_names = [module.monitoring.job_log_group_name]
}
