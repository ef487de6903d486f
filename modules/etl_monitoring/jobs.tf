# The jobs: their alarms, events and dashboards (job_monitoring), and the Glue jobs this environment deploys
# (glue_job): each runs the framework with the environment's key, log groups, dead-letter queue and audit trail.

module "job_monitoring" {
  source = "../job_monitoring"

  create      = var.create
  name_prefix = local.name_prefix
  environment = var.environment
  # a deployed job is known by the name glue_job gives it
  jobs                 = { for k, j in var.jobs : k => merge(j, { glue_job_name = local.glue_job_names[k] }) }
  alarms               = local.alarms_of.jobs
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = var.alarm_period_seconds
  dlq_queue_names      = [module.dead_letter_queue.dlq_name]
  glue_log_group_names = [module.log_groups.job_log_group_name]
  tags                 = local.tags
}

module "glue_job" {
  source   = "../glue_job"
  for_each = var.create ? var.glue_jobs : {}

  name_prefix  = local.name_prefix
  name         = each.key
  description  = each.value.description
  script_path  = each.value.script_path
  package_path = each.value.package_path
  # the audit bucket has no lifecycle rule on glue-jobs/; a team's own artifacts bucket works the same
  artifacts_bucket = coalesce(var.glue_artifacts_bucket, module.audit_trail.bucket_name)
  artifacts_prefix = "glue-jobs/"

  glue_version               = each.value.glue_version
  worker_type                = each.value.worker_type
  number_of_workers          = each.value.number_of_workers
  execution_class            = each.value.execution_class
  timeout_minutes            = each.value.timeout_minutes
  notify_delay_after_minutes = each.value.notify_delay_after_minutes
  max_retries                = each.value.max_retries
  max_concurrent_runs        = each.value.max_concurrent_runs

  environment      = var.environment
  audit_uri        = module.audit_trail.audit_uri
  dlq_queue_url    = module.dead_letter_queue.dlq_url
  kms_key_arn      = local.kms_key_arn
  log_group_prefix = module.log_groups.glue_log_group_prefix
  input_uris       = each.value.input_uris
  output_uris      = each.value.output_uris
  job_arguments    = each.value.job_arguments
  # the Spark UI's event logs beside the job's code, one folder per job
  spark_ui_event_logs_uri = each.value.spark_ui ? "s3://${coalesce(var.glue_artifacts_bucket, module.audit_trail.bucket_name)}/spark-events/${local.name_prefix}-${each.key}/" : null

  dpu_hour_price_usd = var.dpu_hour_price
  tags               = local.tags
}
