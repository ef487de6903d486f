# The Lambdas that act on alarms: remediation (retry failed runs, escalate stale data, redrive the DLQ),
# the weekly report and the daily health check. Code in lambda_src/, zips from `make lambdas`.

locals {
  zips                 = { for name in ["remediation", "weekly_report", "health_check"] : name => "${var.lambda_build_dir}/${name}.zip" }
  audit_arn            = module.audit_trail.bucket_arn
  data_quality_pattern = jsondecode(file("${path.module}/../../lambda_src/remediation/data_quality_event_pattern.json"))
  lambda_environment = {
    ENVIRONMENT                  = var.environment
    POWERTOOLS_METRICS_NAMESPACE = "Glue/ETL/${var.environment}/Operations"
    POWERTOOLS_LOG_LEVEL         = "INFO"
  }
  # the environment's key: publishing to the encrypted topics, reading and writing the encrypted audit bucket
  use_environment_key = {
    UseEnvironmentKey = { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [local.kms_key_arn] }
  }
  read_job_runs = length(local.job_arns) == 0 ? {} : {
    ReadJobRuns = { actions = ["glue:GetJobRuns"], resources = local.job_arns }
  }
  # every Lambda's own alarms: errors and its asynchronous dead letters, critical for remediation (a
  # remediation that fails is a failed job nobody retries), warning for the others; `alarms` overrides
  lambda_alarms = { for severity in ["critical", "warning"] : severity => { for signal in local.lambda_signals : signal => merge(
    { thresholds = { (severity) = 1 } },
    { for field, value in lookup(local.alarms_of.lambda, signal, {}) : field => value if value != null },
  ) } }
  remediation_defaults = jsondecode(file("${path.module}/../../lambda_src/remediation/defaults.json"))
  remediation_filter   = file("${path.module}/../../lambda_src/remediation/subscription_filter.json")
  lambda_common = {
    create                = var.create
    name_prefix           = local.name_prefix
    create_kms_key        = false
    kms_key_arn           = local.kms_key_arn
    alarm_topic_arns      = module.notifications.topic_arns
    alarm_period_seconds  = var.alarm_period_seconds
    log_retention_in_days = local.log_retention_in_days
  }
}

module "remediation" {
  source = "../lambda_function"

  create           = local.lambda_common.create
  name_prefix      = local.lambda_common.name_prefix
  create_kms_key   = local.lambda_common.create_kms_key
  kms_key_arn      = local.lambda_common.kms_key_arn
  name             = "remediation"
  filename         = local.zips.remediation
  source_code_hash = filebase64sha256(local.zips.remediation)
  handler          = "lambda_src.remediation.handler.lambda_handler"
  # above the longest retry backoff it may wait for
  timeout = max(300, tonumber(local.remediation_defaults.RETRY_BACKOFF_MAX_SECONDS) + 60)
  # its settings' defaults are lambda_src/remediation/defaults.json (the code reads the same file)
  environment_variables = merge(local.remediation_defaults, local.lambda_environment, {
    POWERTOOLS_SERVICE_NAME = "remediation"
    CRITICAL_TOPIC_ARN      = module.notifications.topic_arns["critical"]
    NOTIFY_TOPIC_ARN        = module.notifications.topic_arns["info"]
    STATE_BUCKET            = module.audit_trail.bucket_name
    ALARM_NAME_PREFIX       = local.name_prefix
    OPT_OUT_JOBS            = join(",", [for k in var.remediation_opt_out_jobs : lookup(local.glue_job_names, k, k)])
    RUNBOOK_URL             = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/remediation.md"
    # the records DLQ: redriven only to a source that something consumes, else archived to the audit bucket
    DLQ_QUEUES          = module.dead_letter_queue.dlq_name
    DLQ_REDRIVE_TARGETS = jsonencode(var.records_queue_consumed ? { (module.dead_letter_queue.dlq_name) = module.dead_letter_queue.source_queue_name } : {})
    ARCHIVE_KMS_KEY_ID  = local.kms_key_arn
    # rejected records are routine: a queue without a consumer escalates on the warning topic, not by paging
    DLQ_ESCALATION_TOPIC_ARN = module.notifications.topic_arns["warning"]
  })
  policy_statements = merge(local.use_environment_key, length(local.job_arns) == 0 ? {} : {
    RetryGlueJobs = { actions = ["glue:GetJobRun", "glue:GetJobRuns", "glue:GetTags", "glue:StartJobRun"], resources = local.job_arns }
    }, {
    ClaimRemediations  = { actions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources = ["${local.audit_arn}/${local.remediation_defaults.STATE_PREFIX}/*"] }
    ArchiveDeadLetters = { actions = ["s3:GetObject", "s3:PutObject"], resources = ["${local.audit_arn}/${local.remediation_defaults.DLQ_ARCHIVE_PREFIX}/*"] }
    # Glue Data Quality's results, in the audit trail beside the framework's own quality events
    RecordDataQuality   = { actions = ["s3:PutObject"], resources = ["${local.audit_arn}/${local.remediation_defaults.AUDIT_PREFIX}/data_quality_events/*"] }
    Escalate            = { actions = ["sns:Publish"], resources = [for s in ["critical", "warning", "info"] : module.notifications.topic_arns[s]] }
    ReadDeadLetterQueue = { actions = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], resources = [module.dead_letter_queue.dlq_arn] }
    }, var.records_queue_consumed ? {
    RedriveToSourceQueue = { actions = ["sqs:GetQueueUrl", "sqs:SendMessage"], resources = [module.dead_letter_queue.source_queue_arn] }
  } : {})
  event_rules = merge({
    # the archive must run before the queue's retention ends, alarm or not
    dlq-sweep = { schedule_expression = "rate(6 hours)" }
    }, length(local.job_names) == 0 ? {} : {
    glue-failed = { event_pattern = jsonencode({ source = ["aws.glue"], "detail-type" = ["Glue Job State Change"], detail = { state = ["FAILED", "TIMEOUT", "ERROR"], jobName = local.job_names } }) }
    # Glue Data Quality's results, whatever their state: of this environment's jobs, and where the environment
    # owns the account's resources, of the Data Catalog's rulesets (which belong to no job, so to no environment)
    dq-results = { event_pattern = var.owns_account_resources ? jsonencode(merge(local.data_quality_pattern, {
      detail = { context = { "$or" = [{ jobName = local.job_names }, { contextType = ["GLUE_DATA_CATALOG"] }] } }
      })) : jsonencode(merge(local.data_quality_pattern, {
      detail = { context = { jobName = local.job_names } }
    })) }
  })
  # only the alarms it acts on (lambda_src/remediation/subscription_filter.json), not every message
  sns_subscriptions = { for s in ["critical", "warning"] : s => {
    topic_arn           = module.notifications.topic_arns[s]
    filter_policy       = local.remediation_filter
    filter_policy_scope = "MessageBody"
  } }
  alarms                = local.lambda_alarms.critical
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}

module "weekly_report" {
  source = "../lambda_function"

  create           = local.lambda_common.create
  name_prefix      = local.lambda_common.name_prefix
  create_kms_key   = local.lambda_common.create_kms_key
  kms_key_arn      = local.lambda_common.kms_key_arn
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
    JOB_NAMES               = join(",", local.job_names)
    DPU_HOUR_PRICE          = tostring(var.dpu_hour_price)
  })
  policy_statements = merge(local.use_environment_key, local.read_job_runs, {
    ListAuditTrail = { actions = ["s3:ListBucket"], resources = [local.audit_arn], conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["audit/*"] }] }
    ReadAuditTrail = { actions = ["s3:GetObject"], resources = ["${local.audit_arn}/audit/*"] }
    WriteReports   = { actions = ["s3:PutObject"], resources = ["${local.audit_arn}/reports/weekly/*"] }
    PublishReport  = { actions = ["sns:Publish"], resources = [module.notifications.topic_arns["info"]] }
  })
  event_rules           = { weekly = { schedule_expression = "cron(0 7 ? * MON *)" } }
  alarms                = local.lambda_alarms.warning
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}

module "health_check" {
  source = "../lambda_function"

  create           = local.lambda_common.create
  name_prefix      = local.lambda_common.name_prefix
  create_kms_key   = local.lambda_common.create_kms_key
  kms_key_arn      = local.lambda_common.kms_key_arn
  name             = "health-check"
  filename         = local.zips.health_check
  source_code_hash = filebase64sha256(local.zips.health_check)
  handler          = "lambda_src.health_check.handler.lambda_handler"
  timeout          = 120
  environment_variables = merge(local.lambda_environment, {
    POWERTOOLS_SERVICE_NAME = "health-check"
    HEALTH_JOBS             = join(",", local.job_names)
    HEALTH_DLQ_QUEUES       = module.dead_letter_queue.dlq_name
    HEALTH_FRESHNESS        = jsonencode(var.freshness_max_age_hours)
    HEALTH_LOG_GROUP        = module.log_groups.job_log_group_name
    ALERT_TOPIC_ARN         = module.notifications.topic_arns["warning"]
  })
  policy_statements = merge(local.use_environment_key, local.read_job_runs, {
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
  alarms                = local.lambda_alarms.warning
  alarm_topic_arns      = local.lambda_common.alarm_topic_arns
  alarm_period_seconds  = local.lambda_common.alarm_period_seconds
  log_retention_in_days = local.lambda_common.log_retention_in_days
  tags                  = local.tags
}
