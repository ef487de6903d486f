# The Lambdas that act on alarms: remediation (retry failed runs, escalate stale data, redrive the DLQ),
# the weekly report and the daily health check. Code in lambda_src/, zips from `make lambdas`.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  zips       = { for name in ["remediation", "weekly_report", "health_check"] : name => "${var.lambda_build_dir}/${name}.zip" }
  job_arns   = [for job in var.job_names : "${local.arn_prefix}:glue:${local.region}:${local.account_id}:job/${job}"]
  audit_arn  = module.audit_trail.bucket_arn
  lambda_environment = {
    ENVIRONMENT                  = var.environment
    POWERTOOLS_METRICS_NAMESPACE = "Glue/ETL/${var.environment}/Operations"
    POWERTOOLS_LOG_LEVEL         = "INFO"
  }
  # publishing to the encrypted topics and reading/writing the encrypted audit bucket
  use_project_keys = {
    UseAlertKey = { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.notifications.kms_key_arn] }
    UseAuditKey = { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.audit_trail.kms_key_arn] }
  }
  read_job_runs = length(local.job_arns) == 0 ? {} : {
    ReadJobRuns = { actions = ["glue:GetJobRuns"], resources = local.job_arns }
  }
  lambda_common = {
    alarm_topic_arns      = module.notifications.topic_arns
    alarm_period_seconds  = var.alarm_period_seconds
    log_retention_in_days = coalesce(var.log_retention_in_days, lookup({ dev = 7, staging = 30, prod = 90 }, var.environment, 30))
  }
}

module "remediation" {
  source = "../lambda_function"

  name_prefix      = local.name_prefix
  name             = "remediation"
  filename         = local.zips.remediation
  source_code_hash = filebase64sha256(local.zips.remediation)
  handler          = "lambda_src.remediation.handler.lambda_handler"
  timeout          = 300
  environment_variables = merge(local.lambda_environment, {
    POWERTOOLS_SERVICE_NAME   = "remediation"
    CRITICAL_TOPIC_ARN        = module.notifications.topic_arns["critical"]
    NOTIFY_TOPIC_ARN          = module.notifications.topic_arns["info"]
    STATE_BUCKET              = module.audit_trail.bucket_name
    STATE_PREFIX              = "remediation/claims"
    ALARM_NAME_PREFIX         = local.name_prefix
    MAX_RETRY_ATTEMPTS        = "2"
    RETRY_BACKOFF_SECONDS     = "60"
    RETRY_BACKOFF_MAX_SECONDS = "240"
    OPT_OUT_JOBS              = join(",", var.remediation_opt_out_jobs)
    RUNBOOK_URL               = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/remediation.md"
  })
  policy_statements = merge(local.use_project_keys, length(local.job_arns) == 0 ? {} : {
    RetryGlueJobs = { actions = ["glue:GetJobRun", "glue:GetJobRuns", "glue:GetTags", "glue:StartJobRun"], resources = local.job_arns }
    }, {
    ClaimRemediations    = { actions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources = ["${local.audit_arn}/remediation/claims/*"] }
    Escalate             = { actions = ["sns:Publish"], resources = [module.notifications.topic_arns["critical"], module.notifications.topic_arns["info"]] }
    ReadDeadLetterQueue  = { actions = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues", "sqs:ReceiveMessage"], resources = [module.dead_letter_queue.dlq_arn] }
    RedriveToSourceQueue = { actions = ["sqs:GetQueueUrl", "sqs:SendMessage"], resources = [module.dead_letter_queue.source_queue_arn] }
  })
  event_rules = length(var.job_names) == 0 ? {} : {
    glue-failed = { event_pattern = jsonencode({ source = ["aws.glue"], "detail-type" = ["Glue Job State Change"], detail = { state = ["FAILED", "TIMEOUT", "ERROR"], jobName = var.job_names } }) }
  }
  sns_subscriptions = {
    critical = { topic_arn = module.notifications.topic_arns["critical"] }
    warning  = { topic_arn = module.notifications.topic_arns["warning"] }
  }
  alarm_severity        = "critical"
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}

module "weekly_report" {
  source = "../lambda_function"

  name_prefix      = local.name_prefix
  name             = "weekly-report"
  filename         = local.zips.weekly_report
  source_code_hash = filebase64sha256(local.zips.weekly_report)
  handler          = "lambda_src.weekly_report.handler.lambda_handler"
  timeout          = 300
  memory_size      = 512
  environment_variables = merge(local.lambda_environment, {
    POWERTOOLS_SERVICE_NAME = "weekly-report"
    REPORT_TOPIC_ARN        = module.notifications.topic_arns["info"]
    REPORT_BUCKET           = module.audit_trail.bucket_name
    REPORT_PREFIX           = "reports/weekly"
    AUDIT_BUCKET            = module.audit_trail.bucket_name
    AUDIT_PREFIX            = "audit"
    JOB_NAMES               = join(",", var.job_names)
    DPU_HOUR_PRICE          = tostring(var.dpu_hour_price)
  })
  policy_statements = merge(local.use_project_keys, local.read_job_runs, {
    ListAuditTrail = { actions = ["s3:ListBucket"], resources = [local.audit_arn], conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["audit/*"] }] }
    ReadAuditTrail = { actions = ["s3:GetObject"], resources = ["${local.audit_arn}/audit/*"] }
    WriteReports   = { actions = ["s3:PutObject"], resources = ["${local.audit_arn}/reports/weekly/*"] }
    PublishReport  = { actions = ["sns:Publish"], resources = [module.notifications.topic_arns["info"]] }
  })
  event_rules           = { weekly = { schedule_expression = "cron(0 7 ? * MON *)" } }
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}

module "health_check" {
  source = "../lambda_function"

  name_prefix      = local.name_prefix
  name             = "health-check"
  filename         = local.zips.health_check
  source_code_hash = filebase64sha256(local.zips.health_check)
  handler          = "lambda_src.health_check.handler.lambda_handler"
  timeout          = 120
  environment_variables = merge(local.lambda_environment, {
    POWERTOOLS_SERVICE_NAME = "health-check"
    HEALTH_JOBS             = join(",", var.job_names)
    HEALTH_DLQ_QUEUES       = module.dead_letter_queue.dlq_name
    HEALTH_FRESHNESS        = jsonencode(var.freshness_max_age_hours)
    HEALTH_LOG_GROUP        = module.log_groups.job_log_group_name
    ALERT_TOPIC_ARN         = module.notifications.topic_arns["warning"]
  })
  policy_statements = merge(local.use_project_keys, local.read_job_runs, {
    ReadJobLog     = { actions = ["logs:FilterLogEvents"], resources = ["${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:${module.log_groups.job_log_group_name}:*"] }
    ReadQueueDepth = { actions = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"], resources = [module.dead_letter_queue.dlq_arn] }
    Alert          = { actions = ["sns:Publish"], resources = [module.notifications.topic_arns["warning"]] }
    }, length(var.freshness_max_age_hours) == 0 ? {} : {
    ListOutputs = {
      actions   = ["s3:ListBucket"]
      resources = distinct([for uri in keys(var.freshness_max_age_hours) : "${local.arn_prefix}:s3:::${split("/", trimprefix(uri, "s3://"))[0]}"])
    }
  })
  event_rules           = { daily = { schedule_expression = "cron(0 6 * * ? *)" } }
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}
