# The data lake's infrastructure metrics (monitoring notes, issue 13 item 3), one leaf module:
#   S3 request metrics   a request-metrics configuration per bucket entry (AWS/S3, BucketName + FilterId), alarms on
#                        5xxErrors and on the 4xx rate (metric math), GET/PUT rates and 4xx/5xx on the dashboard
#   S3 storage growth    AWS/S3 BucketSizeBytes (BucketName + StorageType, once a day): the daily size on the
#                        dashboard and an alarm on the growth over the day before (metric math with DIFF)
#   Secrets Manager      metric filters on an existing trail's log group counting the Glue job roles' GetSecretValue
#                        calls and the denied ones; an anomaly-band alarm on the reads, a static one on any denial
# It owns no bucket and no trail: it watches the ones it is given.

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

locals {
  region = try(data.aws_region.current[0].name, "")

  # -- S3 ----------------------------------------------------------------------------------------------------
  filter_ids = { for k, b in var.buckets : k => "${var.name_prefix}-${k}" }
  # the entries that watch their bucket's size (a bucket-wide metric): by default those without a prefix. Keyed
  # by the input's keys, never by bucket names, which may be unknown until apply.
  storage_keys = { for k, b in var.buckets : k => b.bucket if coalesce(b.storage_metrics, b.prefix == null) }
  scope_text = { for k, b in var.buckets : k => (
    b.prefix == null ? "bucket ${b.bucket}" : "objects under s3://${b.bucket}/${b.prefix}"
  ) }

  # -- Secrets Manager (from CloudTrail) -----------------------------------------------------------------------
  secrets_on = var.create && var.cloudtrail_log_group_name != null
  namespace  = coalesce(var.metric_namespace, "Glue/ETL/${coalesce(var.environment, "none")}/Security")
  roles_clause = join(" || ", [
    for r in var.secret_reader_role_names : "$.userIdentity.sessionContext.sessionIssuer.userName = \"${r}\""
  ])
  # CloudTrail records an assumed role's calls with the role's name in userIdentity.sessionContext.sessionIssuer
  reads_pattern  = "{ ($.eventSource = \"secretsmanager.amazonaws.com\") && ($.eventName = \"GetSecretValue\") && (${local.roles_clause}) }"
  denied_pattern = "{ ($.eventSource = \"secretsmanager.amazonaws.com\") && ($.eventName = \"GetSecretValue\") && ($.errorCode = \"AccessDenied*\") && (${local.roles_clause}) }"
  secret_metrics = {
    reads  = { name = "SecretReads", filter = "${var.name_prefix}-secret-reads", pattern = local.reads_pattern }
    denied = { name = "SecretReadsDenied", filter = "${var.name_prefix}-secret-reads-denied", pattern = local.denied_pattern }
  }

  # -- the signals and their defaults; var.alarms overrides them in the project's one shape ---------------------
  signals = {
    server_errors        = { part = "bucket", name = "s3-5xx-errors", thresholds = { warning = 10, critical = 100 }, period = null, evaluation_periods = 1, datapoints_to_alarm = 1, treat_missing_data = "notBreaching" }
    client_error_rate    = { part = "bucket", name = "s3-4xx-error-rate", thresholds = { warning = 10 }, period = null, evaluation_periods = 3, datapoints_to_alarm = 3, treat_missing_data = "notBreaching" }
    storage_growth       = { part = "storage", name = "s3-storage-growth", thresholds = { warning = 20 }, period = 86400, evaluation_periods = 2, datapoints_to_alarm = 1, treat_missing_data = "ignore" }
    secret_reads         = { part = "secrets", name = "secret-reads-unusual", thresholds = { warning = 3 }, period = 3600, evaluation_periods = 1, datapoints_to_alarm = 1, treat_missing_data = "notBreaching" }
    secret_access_denied = { part = "secrets", name = "secret-access-denied", thresholds = { warning = 1 }, period = null, evaluation_periods = 1, datapoints_to_alarm = 1, treat_missing_data = "notBreaching" }
  }
  settings = { for k, sig in local.signals : k => {
    enabled    = coalesce(try(var.alarms[k].enabled, null), true)
    thresholds = coalesce(try(var.alarms[k].thresholds, null), sig.thresholds)
    # storage_growth: always a day; secret_reads: its own or an hour; the rest: theirs, alarm_period_seconds or 300
    period = (k == "storage_growth" ? 86400 : k == "secret_reads" ? coalesce(try(var.alarms[k].period_seconds, null), 3600) :
    coalesce(try(var.alarms[k].period_seconds, null), var.alarm_period_seconds, 300))
    evaluation_periods  = coalesce(try(var.alarms[k].evaluation_periods, null), sig.evaluation_periods)
    datapoints_to_alarm = coalesce(try(var.alarms[k].datapoints_to_alarm, null), min(sig.datapoints_to_alarm, coalesce(try(var.alarms[k].evaluation_periods, null), sig.evaluation_periods)))
    treat_missing_data  = coalesce(try(var.alarms[k].treat_missing_data, null), sig.treat_missing_data)
    runbook             = coalesce(try(var.alarms[k].runbook_url, null), "${var.runbook_url}#${k}")
  } }
  subjects = {
    bucket  = var.create ? keys(var.buckets) : []
    storage = var.create ? keys(local.storage_keys) : []
    secrets = local.secrets_on ? ["account"] : []
  }
  alarm_list = flatten([for signal, sig in local.signals : [for subject in local.subjects[sig.part] : [
    for severity, threshold in local.settings[signal].thresholds : {
      key       = sig.part == "secrets" ? "${signal}-${severity}" : "${subject}/${signal}-${severity}"
      name      = sig.part == "secrets" ? "${var.name_prefix}-${sig.name}-${severity}" : "${var.name_prefix}-${subject}-${sig.name}-${severity}"
      signal    = signal
      subject   = subject
      severity  = severity
      threshold = threshold
      st        = local.settings[signal]
    }
  ]] if local.settings[signal].enabled])
  alarms          = { for a in local.alarm_list : a.key => a }
  severities_used = toset([for a in local.alarm_list : a.severity])

  duration_text = { for k, st in local.settings : k => (
    st.period % 86400 == 0 ? "${st.period / 86400} d" : st.period % 3600 == 0 ? "${st.period / 3600} h" : st.period % 60 == 0 ? "${st.period / 60} min" : "${st.period} s"
  ) }

  # what each alarm watches: a metric, or metric queries and the expression that returns the alarm's value
  # (one for expression per signal: their objects differ in shape, and merge keeps each as it is)
  alarm_specs = merge(
    { for key, a in local.alarms : key => {
      comparison_operator = "GreaterThanOrEqualToThreshold", threshold = a.threshold, threshold_metric_id = null
      metric              = { namespace = "AWS/S3", metric_name = "5xxErrors", dimensions = { BucketName = var.buckets[a.subject].bucket, FilterId = local.filter_ids[a.subject] }, statistic = "Sum" }
      metric_queries      = [], expressions = []
      description = join("", [
        "${title(a.severity)}: S3 answered ${a.threshold} or more requests for the ${local.scope_text[a.subject]} with HTTP 5xx in ${local.duration_text[a.signal]}",
        " (AWS/S3 5xxErrors, FilterId ${local.filter_ids[a.subject]}; 503 SlowDown means more than S3's request rate per prefix, 500 an S3-side error; the SDKs retry both).",
        " Runbook: ${a.st.runbook}",
      ])
    } if a.signal == "server_errors" },
    { for key, a in local.alarms : key => {
      comparison_operator = "GreaterThanOrEqualToThreshold", threshold = a.threshold, threshold_metric_id = null, metric = null
      metric_queries = [for id, m in { errors = "4xxErrors", requests = "AllRequests" } : {
        id         = id, label = m, return_data = false, namespace = "AWS/S3", metric_name = m, stat = "Sum", period = a.st.period
        dimensions = { BucketName = var.buckets[a.subject].bucket, FilterId = local.filter_ids[a.subject] }
      }]
      expressions = [{ id = "error_rate", label = "4xx errors (% of requests)", return_data = true, expression = "IF(requests >= ${var.error_rate_min_requests}, 100 * FILL(errors, 0) / requests, 0)" }]
      description = join("", [
        "${title(a.severity)}: ${a.threshold}% or more of the requests for the ${local.scope_text[a.subject]} got HTTP 4xx (403 access denied, 404 no such key)",
        " in ${a.st.datapoints_to_alarm} of ${a.st.evaluation_periods} periods of ${local.duration_text[a.signal]}",
        " (100 x AWS/S3 4xxErrors / AllRequests, FilterId ${local.filter_ids[a.subject]}; 0 below ${var.error_rate_min_requests} requests a period).",
        " Runbook: ${a.st.runbook}",
      ])
    } if a.signal == "client_error_rate" },
    { for key, a in local.alarms : key => {
      comparison_operator = "GreaterThanOrEqualToThreshold", threshold = a.threshold, threshold_metric_id = null, metric = null
      metric_queries = [{
        id         = "size", label = "BucketSizeBytes", return_data = false, namespace = "AWS/S3", metric_name = "BucketSizeBytes", stat = "Average", period = 86400
        dimensions = { BucketName = local.storage_keys[a.subject], StorageType = var.buckets[a.subject].storage_type }
      }]
      # DIFF: the change since the previous datapoint, i.e. the day before (S3 publishes one a day)
      expressions = [
        { id = "previous", label = "size the day before", return_data = false, expression = "size - DIFF(size)" },
        { id = "growth", label = "growth over the day before (%)", return_data = true, expression = "IF(previous > 0, 100 * DIFF(size) / previous, 0)" },
      ]
      description = join("", [
        "${title(a.severity)}: the bucket ${local.storage_keys[a.subject]} (${var.buckets[a.subject].storage_type}) grew ${a.threshold}% or more over the day before",
        " (AWS/S3 BucketSizeBytes, which S3 publishes once a day; a runaway or duplicated write, or a lifecycle rule that stopped expiring).",
        " Runbook: ${a.st.runbook}",
      ])
    } if a.signal == "storage_growth" },
    { for key, a in local.alarms : key => {
      comparison_operator = "GreaterThanUpperThreshold", threshold = null, threshold_metric_id = "band", metric = null
      metric_queries      = [{ id = "m1", label = "SecretReads", return_data = true, namespace = local.namespace, metric_name = "SecretReads", stat = "Sum", period = a.st.period, dimensions = null }]
      expressions         = [{ id = "band", label = "expected SecretReads", return_data = true, expression = "ANOMALY_DETECTION_BAND(m1, ${a.threshold})" }]
      description = join("", [
        "${title(a.severity)}: the Glue job roles (${join(", ", var.secret_reader_role_names)}) read Secrets Manager secrets more often than usual:",
        " GetSecretValue calls in ${local.duration_text[a.signal]} above the anomaly band of ${a.threshold} standard deviations",
        " (${local.namespace} SecretReads, from CloudTrail in ${coalesce(var.cloudtrail_log_group_name, "-")}). Runbook: ${a.st.runbook}",
      ])
    } if a.signal == "secret_reads" },
    { for key, a in local.alarms : key => {
      comparison_operator = "GreaterThanOrEqualToThreshold", threshold = a.threshold, threshold_metric_id = null
      metric              = { namespace = local.namespace, metric_name = "SecretReadsDenied", dimensions = null, statistic = "Sum" }
      metric_queries      = [], expressions = []
      description = join("", [
        "${title(a.severity)}: ${a.threshold} or more GetSecretValue calls by the Glue job roles (${join(", ", var.secret_reader_role_names)}) were denied in ${local.duration_text[a.signal]}",
        " (${local.namespace} SecretReadsDenied, errorCode AccessDenied*, from CloudTrail in ${coalesce(var.cloudtrail_log_group_name, "-")}). Runbook: ${a.st.runbook}",
      ])
    } if a.signal == "secret_access_denied" },
  )
}

# -- the dashboard <name_prefix>-data-lake: a row per bucket entry, then storage, then secrets (24-column grid) ------

locals {
  dashboard_on  = var.create && var.create_dashboard && (length(var.buckets) > 0 || local.secrets_on)
  bucket_keys   = sort(keys(var.buckets))
  storage_list  = sort(keys(local.storage_keys))
  storage_y     = 2 + 6 * length(local.bucket_keys)
  secrets_y     = local.storage_y + (length(local.storage_list) > 0 ? 6 : 0)
  s3_dimensions = { for k, b in var.buckets : k => ["BucketName", b.bucket, "FilterId", local.filter_ids[k]] }
  annotations = { for signal in ["server_errors", "storage_growth"] : signal => [
    for severity, t in local.settings[signal].thresholds : { label = "${severity} (${local.duration_text[signal]})", value = t }
  ] if local.settings[signal].enabled }

  dashboard_widgets = concat(
    [{
      type = "text", x = 0, y = 0, width = 24, height = 2
      properties = { markdown = join("", [
        "## Data lake (${var.name_prefix})\n",
        "S3 request metrics per request-metrics configuration (FilterId <name_prefix>-<key>, billed as custom metrics), ",
        "the daily BucketSizeBytes S3 publishes for free, and Secrets Manager reads by the Glue job roles from CloudTrail. ",
        "[Runbook](${var.runbook_url})",
      ]) }
    }],
    flatten([for i, k in local.bucket_keys : [
      {
        type = "metric", x = 0, y = 2 + 6 * i, width = 12, height = 6
        properties = {
          title = "${k}: GET and PUT requests per second (${local.scope_text[k]})", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
          metrics = [
            concat(["AWS/S3", "GetRequests"], local.s3_dimensions[k], [{ id = "gets", visible = false }]),
            concat(["AWS/S3", "PutRequests"], local.s3_dimensions[k], [{ id = "puts", visible = false }]),
            [{ expression = "gets / PERIOD(gets)", label = "GET/s", id = "get_rate" }],
            [{ expression = "puts / PERIOD(puts)", label = "PUT/s", id = "put_rate" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 2 + 6 * i, width = 12, height = 6
        properties = merge({
          title  = "${k}: 4xx and 5xx errors (${local.scope_text[k]})", region = local.region, view = "timeSeries", stat = "Sum"
          period = max(60, local.settings.server_errors.period)
          metrics = [
            concat(["AWS/S3", "4xxErrors"], local.s3_dimensions[k], [{ label = "4xx" }]),
            concat(["AWS/S3", "5xxErrors"], local.s3_dimensions[k], [{ label = "5xx" }]),
          ]
        }, { for k, v in { annotations = { horizontal = [for a in lookup(local.annotations, "server_errors", []) : merge(a, { label = "5xx ${a.label}" })] } } : k => v if length(lookup(local.annotations, "server_errors", [])) > 0 })
      },
    ]]),
    [for w in [
      {
        type = "metric", x = 0, y = local.storage_y, width = 12, height = 6
        properties = {
          title   = "Bucket size, daily (BucketSizeBytes)", region = local.region, view = "timeSeries", period = 86400, stat = "Average"
          metrics = [for k in local.storage_list : ["AWS/S3", "BucketSizeBytes", "BucketName", local.storage_keys[k], "StorageType", var.buckets[k].storage_type, { label = "${local.storage_keys[k]} (${var.buckets[k].storage_type})" }]]
        }
      },
      {
        type = "metric", x = 12, y = local.storage_y, width = 12, height = 6
        properties = merge({
          title = "Bucket growth over the day before (%)", region = local.region, view = "timeSeries", period = 86400, stat = "Average"
          metrics = concat(
            [for i, k in local.storage_list : ["AWS/S3", "BucketSizeBytes", "BucketName", local.storage_keys[k], "StorageType", var.buckets[k].storage_type, { id = "size${i}", visible = false }]],
            [for i, k in local.storage_list : [{ expression = "IF((size${i} - DIFF(size${i})) > 0, 100 * DIFF(size${i}) / (size${i} - DIFF(size${i})), 0)", label = local.storage_keys[k], id = "growth${i}" }]],
          )
        }, { for k, v in { annotations = { horizontal = lookup(local.annotations, "storage_growth", []) } } : k => v if length(lookup(local.annotations, "storage_growth", [])) > 0 })
      },
    ] : w if length(local.storage_list) > 0],
    [for w in [
      {
        type = "metric", x = 0, y = local.secrets_y, width = 12, height = 6
        properties = {
          title  = "GetSecretValue by the Glue job roles, and its expected band", region = local.region, view = "timeSeries", stat = "Sum"
          period = local.settings.secret_reads.period
          metrics = [
            [local.namespace, "SecretReads", { id = "m1", label = "SecretReads" }],
            [{ expression = "ANOMALY_DETECTION_BAND(m1, ${try(max(values(local.settings.secret_reads.thresholds)...), 3)})", label = "expected", id = "band" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = local.secrets_y, width = 12, height = 6
        properties = {
          title   = "Denied GetSecretValue by the Glue job roles", region = local.region, view = "timeSeries", stat = "Sum"
          period  = max(60, local.settings.secret_access_denied.period)
          metrics = [[local.namespace, "SecretReadsDenied", { label = "SecretReadsDenied" }]]
        }
      },
    ] : w if local.secrets_on],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.dashboard_on ? 1 : 0

  dashboard_name = "${var.name_prefix}-data-lake"
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}

# -- S3 request metrics -----------------------------------------------------------------------------------------

resource "aws_s3_bucket_metric" "this" {
  for_each = var.create ? var.buckets : {}

  bucket = each.value.bucket
  name   = local.filter_ids[each.key]

  dynamic "filter" {
    for_each = each.value.prefix == null ? [] : [each.value.prefix]
    content {
      prefix = filter.value
    }
  }
}

# -- Secrets Manager reads, from the trail's log group ----------------------------------------------------------

resource "aws_cloudwatch_log_metric_filter" "secrets" {
  for_each = local.secrets_on ? local.secret_metrics : {}

  name           = each.value.filter
  log_group_name = var.cloudtrail_log_group_name
  pattern        = each.value.pattern

  metric_transformation {
    name      = each.value.name
    namespace = local.namespace
    value     = "1"
    # 0 for every trail event that is not one of these: the series is continuous, so the band learns the quiet hours
    default_value = "0"
    unit          = "Count"
  }
}

# -- alarms -----------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = each.value.name
  alarm_description = local.alarm_specs[each.key].description

  namespace   = try(local.alarm_specs[each.key].metric.namespace, null)
  metric_name = try(local.alarm_specs[each.key].metric.metric_name, null)
  dimensions  = try(local.alarm_specs[each.key].metric.dimensions, null)
  statistic   = try(local.alarm_specs[each.key].metric.statistic, null)
  period      = local.alarm_specs[each.key].metric == null ? null : each.value.st.period

  comparison_operator = local.alarm_specs[each.key].comparison_operator
  threshold           = local.alarm_specs[each.key].threshold
  threshold_metric_id = local.alarm_specs[each.key].threshold_metric_id
  evaluation_periods  = each.value.st.evaluation_periods
  datapoints_to_alarm = each.value.st.datapoints_to_alarm
  treat_missing_data  = each.value.st.treat_missing_data

  dynamic "metric_query" {
    for_each = local.alarm_specs[each.key].metric_queries
    content {
      id          = metric_query.value.id
      label       = metric_query.value.label
      return_data = metric_query.value.return_data

      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = metric_query.value.period
      }
    }
  }

  dynamic "metric_query" {
    for_each = local.alarm_specs[each.key].expressions
    content {
      id          = metric_query.value.id
      label       = metric_query.value.label
      return_data = metric_query.value.return_data
      expression  = metric_query.value.expression
    }
  }

  actions_enabled = true
  alarm_actions   = [var.alarm_topic_arns[each.value.severity]]
  ok_actions      = [var.alarm_topic_arns[each.value.severity]]
  tags            = merge(var.tags, { Severity = each.value.severity })

  # the metric filters create the security metrics: the alarms on them come after
  depends_on = [aws_cloudwatch_log_metric_filter.secrets]
}
