# The three operations Lambdas wired the way an environment wires them: the remediation Lambda on the
# alert topics and on the Glue failure events, the weekly report and the daily health check on schedules.
# The topics are fixtures of this example (an environment passes the notifications module's topic_arns).
#
# The zips come from `python -m tools.build_lambdas` (build/lambda/). Without them the example creates
# nothing and says so in its `built` output, so one missing build step does not break the examples bundle;
# tests/modules/test_lambda_function.py then fails on the missing functions.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix = "ex-lambda-complete"
  account     = data.aws_caller_identity.current.account_id
  arn         = "arn:${data.aws_partition.current.partition}"
  region      = data.aws_region.current.name
  build_dir   = "${path.module}/../../../../build/lambda"
  zips        = { for n in ["remediation", "weekly_report", "health_check"] : n => "${local.build_dir}/${n}.zip" }
  built       = alltrue([for z in values(local.zips) : fileexists(z)])
  # a placeholder only when the zips are missing (then nothing is created)
  hashes = { for n, z in local.zips : n => try(filebase64sha256(z), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") }

  job_arns    = [for j in var.job_names : "${local.arn}:glue:${local.region}:${local.account}:job/${j}"]
  topics      = { for s, t in aws_sns_topic.alerts : s => t.arn }
  dlq_arns    = [for q in var.dlq_names : "${local.arn}:sqs:${local.region}:${local.account}:${q}"]
  source_arns = [for q in var.dlq_source_queue_names : "${local.arn}:sqs:${local.region}:${local.account}:${q}"]
  bucket_arn  = "${local.arn}:s3:::${var.operations_bucket}"
  lake_arn    = "${local.arn}:s3:::${var.data_lake_bucket}"
  common_env = {
    ENVIRONMENT          = "example"
    POWERTOOLS_LOG_LEVEL = "INFO"
  }
}

resource "aws_sns_topic" "alerts" {
  for_each = toset(["critical", "warning", "info"])

  name              = "${local.name_prefix}-${each.key}"
  kms_master_key_id = "alias/aws/sns"
}

module "remediation" {
  source = "../../"

  create           = local.built
  name_prefix      = local.name_prefix
  name             = "remediation"
  description      = "Retries failed Glue runs, escalates stale data, redrives dead-letter queues"
  filename         = local.zips.remediation
  source_code_hash = local.hashes.remediation
  handler          = "lambda_src.remediation.handler.lambda_handler"
  timeout          = 300 # the retry backoff (RETRY_BACKOFF_MAX_SECONDS) must fit in it
  memory_size      = 256

  environment_variables = merge(local.common_env, {
    POWERTOOLS_SERVICE_NAME      = "remediation"
    POWERTOOLS_METRICS_NAMESPACE = "Glue/ETL/example/Operations"
    CRITICAL_TOPIC_ARN           = local.topics.critical
    NOTIFY_TOPIC_ARN             = local.topics.info
    STATE_BUCKET                 = var.operations_bucket
    STATE_PREFIX                 = "remediation/claims"
    ALARM_NAME_PREFIX            = var.alarm_name_prefix
    MAX_RETRY_ATTEMPTS           = "2"
    RETRY_BACKOFF_SECONDS        = "60"
    RETRY_BACKOFF_MAX_SECONDS    = "240"
    OPT_OUT_TAG                  = "remediation:auto-retry"
    RUNBOOK_URL                  = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/remediation.md"
  })

  policy_statements = {
    RetryGlueJobs = {
      actions   = ["glue:GetJobRun", "glue:GetJobRuns", "glue:GetTags", "glue:StartJobRun"]
      resources = local.job_arns
    }
    ClaimRemediations = {
      actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
      resources = ["${local.bucket_arn}/remediation/claims/*"]
    }
    Escalate = {
      actions   = ["sns:Publish"]
      resources = [local.topics.critical, local.topics.info]
    }
    ReadDeadLetterQueues = {
      actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues", "sqs:ReceiveMessage"]
      resources = local.dlq_arns
    }
    RedriveToSourceQueues = {
      actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
      resources = local.source_arns
    }
  }

  event_rules = {
    glue-failed = {
      description = "Failed Glue runs of the monitored jobs"
      event_pattern = jsonencode({
        source        = ["aws.glue"]
        "detail-type" = ["Glue Job State Change"]
        detail        = { state = ["FAILED", "TIMEOUT", "ERROR"], jobName = var.job_names }
      })
    }
  }
  sns_subscriptions = {
    critical = { topic_arn = local.topics.critical }
    warning  = { topic_arn = local.topics.warning }
  }

  alarm_topic_arns = local.topics
  alarms = { # the remediation failing is itself an incident
    errors       = { thresholds = { critical = 1 } }
    dead_letters = { thresholds = { critical = 1 } }
  }
  log_retention_in_days = 30
  tags                  = var.tags
}

module "weekly_report" {
  source = "../../"

  create           = local.built
  name_prefix      = local.name_prefix
  name             = "weekly_report"
  description      = "Weekly ETL report: statistics, data quality, errors, DPU cost"
  filename         = local.zips.weekly_report
  source_code_hash = local.hashes.weekly_report
  handler          = "lambda_src.weekly_report.handler.lambda_handler"
  timeout          = 300
  memory_size      = 512

  environment_variables = merge(local.common_env, {
    POWERTOOLS_SERVICE_NAME      = "weekly-report"
    POWERTOOLS_METRICS_NAMESPACE = "Glue/ETL/example/Operations"
    REPORT_TOPIC_ARN             = local.topics.info
    REPORT_BUCKET                = var.operations_bucket
    REPORT_PREFIX                = "reports/weekly"
    AUDIT_BUCKET                 = var.data_lake_bucket
    AUDIT_PREFIX                 = "audit"
    JOB_NAMES                    = join(",", var.job_names)
    DPU_HOUR_PRICE               = "0.44"
  })

  policy_statements = {
    ReadJobRuns = {
      actions   = ["glue:GetJobRuns"]
      resources = local.job_arns
    }
    ListAuditTrail = {
      actions   = ["s3:ListBucket"]
      resources = [local.lake_arn]
      conditions = [{
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["audit/*"]
      }]
    }
    ReadAuditTrail = {
      actions   = ["s3:GetObject"]
      resources = ["${local.lake_arn}/audit/*"]
    }
    WriteReports = {
      actions   = ["s3:PutObject"]
      resources = ["${local.bucket_arn}/reports/weekly/*"]
    }
    PublishReport = {
      actions   = ["sns:Publish"]
      resources = [local.topics.info]
    }
  }

  event_rules = {
    weekly = {
      description         = "Monday 07:00 UTC: the last 7 days"
      schedule_expression = "cron(0 7 ? * MON *)"
    }
  }

  alarm_topic_arns = local.topics
  tags             = var.tags
}

module "health_check" {
  source = "../../"

  create           = local.built
  name_prefix      = local.name_prefix
  name             = "health_check"
  description      = "Daily ETL health check: success rates, DLQ depth, data freshness"
  filename         = local.zips.health_check
  source_code_hash = local.hashes.health_check
  handler          = "lambda_src.health_check.handler.lambda_handler"
  timeout          = 120

  environment_variables = merge(local.common_env, {
    POWERTOOLS_SERVICE_NAME      = "health-check"
    POWERTOOLS_METRICS_NAMESPACE = "Glue/ETL/example/Operations"
    HEALTH_JOBS                  = join(",", var.job_names)
    HEALTH_DLQ_QUEUES            = join(",", var.dlq_names)
    HEALTH_FRESHNESS             = jsonencode({ for p, h in var.freshness_hours : "s3://${var.data_lake_bucket}/${p}" => h })
    ALERT_TOPIC_ARN              = local.topics.warning
  })

  policy_statements = {
    ReadJobRuns = {
      actions   = ["glue:GetJobRuns"]
      resources = local.job_arns
    }
    ReadQueueDepth = {
      actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
      resources = local.dlq_arns
    }
    ListOutputs = {
      actions   = ["s3:ListBucket"]
      resources = [local.lake_arn]
    }
    Alert = {
      actions   = ["sns:Publish"]
      resources = [local.topics.warning]
    }
  }

  event_rules = {
    daily = {
      description         = "Every day at 06:00 UTC"
      schedule_expression = "cron(0 6 * * ? *)"
    }
  }

  alarm_topic_arns = local.topics
  tags             = var.tags
}
