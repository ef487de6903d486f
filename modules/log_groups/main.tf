# The Glue log groups (retention, customer-managed KMS key), the metric filters that turn the framework's
# JSON log lines into the JobsStarted/JobsSucceeded/JobsFailed counts of docs/metrics.md, and the saved
# Logs Insights queries of the monitoring guide.

locals {
  # What PutRetentionPolicy accepts (also read by the validations).
  valid_retention_days = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
  # CloudWatch's units (also read by the validations).
  valid_units = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
  ]

  retention_in_days = coalesce(var.retention_in_days, lookup(var.retention_days_by_environment, var.environment, 30))
  metric_namespace  = coalesce(var.metric_namespace, "Glue/ETL/${var.environment}")

  # The environment's own Glue log groups: Glue 5.0 writes to <prefix>/output and <prefix>/error when a job
  # has --custom-logGroup-prefix <prefix>; Glue 4.0's continuous logging writes to the group named by
  # --continuous-log-logGroup (<prefix>/logs-v2 here). Never Glue's account-wide /aws-glue/jobs/* defaults:
  # those belong to every job of the account (README: "Taking over Glue's default log groups").
  glue_log_group_prefix = coalesce(var.glue_log_group_prefix, "/aws-glue/jobs/${var.name_prefix}")
  glue_log_groups       = { for stream in ["output", "error", "logs-v2"] : stream => "${local.glue_log_group_prefix}/${stream}" }
  extra_log_groups = var.create ? { for n, g in var.extra_log_groups : n => {
    retention_in_days = coalesce(g.retention_in_days, local.retention_in_days)
    log_group_class   = g.log_group_class
  } } : {}
  all_log_group_names = concat(values(local.glue_log_groups), keys(var.extra_log_groups))

  create_kms_key = var.create && var.create_kms_key
  kms_key_arn    = local.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn

  # The job log: a reference to the log group when this module creates it (so filters wait for it).
  job_log_group = coalesce(var.job_log_group_name, local.glue_log_groups["output"])
  job_log_group_name = try(
    [for g in aws_cloudwatch_log_group.glue : g.name if g.name == local.job_log_group][0],
    aws_cloudwatch_log_group.extra[local.job_log_group].name,
    local.job_log_group,
  )

  # docs/metrics.md, "log filter" rows: metric -> the `event` value it counts.
  job_metric_events = {
    JobsStarted   = "job_started"
    JobsSucceeded = "job_completed_successfully"
    JobsFailed    = "job_failed"
  }
  contract_dimensions = { JobName = "$.job_name", Environment = "$.environment" }

  metric_filters = var.create ? merge(
    { for m, e in local.job_metric_events : m => {
      pattern        = "{ $.event = \"${e}\" }"
      value          = "1"
      unit           = "Count"
      dimensions     = local.contract_dimensions
      default_value  = null
      log_group_name = local.job_log_group_name
    } },
    { for m, f in var.extra_metric_filters : m => {
      pattern        = f.pattern
      value          = f.value
      unit           = f.unit
      dimensions     = f.dimensions == null ? local.contract_dimensions : f.dimensions
      default_value  = f.default_value
      log_group_name = f.log_group_name == null ? local.job_log_group_name : try(aws_cloudwatch_log_group.extra[f.log_group_name].name, f.log_group_name)
    } },
  ) : {}

  # The monitoring guide's Logs Insights queries, on the JSON fields of docs/metrics.md ("Log events").
  queries = {
    successful-completions-5m = <<-EOT
      fields @timestamp, job_name, job_run_id
      | filter event = "job_completed_successfully"
      | stats count() as completions by bin(5m)
    EOT
    completions-by-job        = <<-EOT
      fields @timestamp, job_name
      | filter event = "job_completed_successfully"
      | stats count() as completions, max(@timestamp) as last_completion by job_name
      | sort completions desc
    EOT
    failures                  = <<-EOT
      fields @timestamp, job_name, job_run_id, error_type, error_message, processing_time_seconds, trace_id
      | filter event = "job_failed"
      | sort @timestamp desc
      | limit 200
    EOT
    phase-durations           = <<-EOT
      fields @timestamp, job_name, event, processing_time_seconds, row_count
      | filter event like /_phase_completed$/
      | parse event "*_phase_completed" as phase
      | stats count() as runs, avg(processing_time_seconds) as avg_seconds, pct(processing_time_seconds, 95) as p95_seconds, max(processing_time_seconds) as max_seconds, sum(row_count) as rows by job_name, phase
      | sort avg_seconds desc
    EOT
    run-trace                 = <<-EOT
      fields @timestamp, level, event, job_name, job_run_id, trace_id, correlation_id, @message
      | filter trace_id = "REPLACE_WITH_TRACE_OR_RUN_ID" or job_run_id = "REPLACE_WITH_TRACE_OR_RUN_ID"
      | sort @timestamp asc
      | limit 10000
    EOT
  }
  query_strings = { for k, q in local.queries : k => trimspace(q) }
}

# -- the key (unless one is given: the composition's environment key) ------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  name_prefix        = var.name_prefix
  name               = "glue-logs"
  description        = "Encrypts the ${var.name_prefix} Glue log groups (CloudWatch Logs)"
  log_group_names    = local.all_log_group_names # CloudWatch Logs may use the key for these groups only
  publisher_services = []
  via_services       = []

  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = var.tags
}

# v0.1 had its own key here. An environment now has one key (the composition's), so the old key is
# forgotten, not destroyed: it stays in the account and keeps decrypting what it encrypted (the services
# hold its key id), and CHANGELOG 0.2.0 says how to schedule its deletion once that data has expired. The
# new key's alias has another name, so that the old alias can stay.
removed {
  from = aws_kms_key.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_kms_alias.this

  lifecycle {
    destroy = false
  }
}

# -- the log groups -------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "glue" {
  #checkov:skip=CKV_AWS_338:retention is set per environment (dev 7, staging 30, prod 90 days by default); a year is the caller's choice through retention_in_days
  for_each = var.create ? local.glue_log_groups : {}

  name              = each.value
  retention_in_days = local.retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "extra" {
  #checkov:skip=CKV_AWS_338:retention is the caller's, per group (extra_log_groups) or per environment
  for_each = local.extra_log_groups

  name              = each.key
  retention_in_days = each.value.retention_in_days
  log_group_class   = each.value.log_group_class
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

# Until 0.2.0 the module created Glue's account-wide default groups (/aws-glue/jobs/output, /error, /logs-v2)
# under `this`, with the metric filters on them. An upgrade forgets them instead of destroying them: their
# logs stay, and other environments and jobs of the account may still write there (docs/upgrades/UPGRADE-0.2.md).
removed {
  from = aws_cloudwatch_log_group.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_cloudwatch_log_metric_filter.this

  lifecycle {
    destroy = false
  }
}

resource "aws_cloudwatch_log_metric_filter" "job" {
  for_each = local.metric_filters

  name           = "${var.name_prefix}-${each.key}"
  log_group_name = each.value.log_group_name
  pattern        = each.value.pattern

  metric_transformation {
    name          = each.key
    namespace     = local.metric_namespace
    value         = each.value.value
    unit          = each.value.unit
    dimensions    = length(each.value.dimensions) > 0 ? each.value.dimensions : null
    default_value = each.value.default_value
  }
}

# -- saved Logs Insights queries ------------------------------------------------------------------------

resource "aws_cloudwatch_query_definition" "this" {
  for_each = var.create && var.create_query_definitions ? local.query_strings : {}

  name            = "${var.name_prefix}/${each.key}"
  log_group_names = [local.job_log_group_name]
  query_string    = each.value
}
