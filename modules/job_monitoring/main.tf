# Per-job alarms of Glue ETL jobs, routed by severity, built from one typed job list.
#
# Signals (docs/metrics.md is the contract of every metric name and dimension used here):
#   job-failure             EventBridge "Glue Job State Change" (FAILED, TIMEOUT, ...) -> rule per job -> the
#                           rule's AWS/Events TriggeredRules metric -> alarm; the rule also sends a readable
#                           sentence to the topic. Glue publishes no AWS/Glue JobFailures metric (the seed's).
#   data-freshness          DataAgeHours; missing data over the window counts as stale (a job that stopped
#                           reporting alarms too)
#   duration-regression     JobDurationSeconds > N x usual_duration_seconds, or above an anomaly band
#   validation-failure-rate ValidationPassRate < 100 - N %
#   quality-score           DataQualityScore < N
#   volume-anomaly          RecordsProcessed outside an anomaly band
#   api-errors              100 x ApiErrors / ApiCalls > N % (metric math)
#   api-latency             ApiLatencyMs p95 > N ms
#   slo-burn-*              multi-window, multi-burn-rate alerts (Google SRE workbook) on success rate and
#                           freshness: one alarm per window (severity info) and a composite per objective
#   health                  composite: any critical or warning alarm of the job

data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

locals {
  severities = ["critical", "warning", "info"]
  namespace  = coalesce(var.metric_namespace, "Glue/ETL/${var.environment}")

  partition = try(data.aws_partition.current[0].partition, "aws")
  region    = try(data.aws_region.current[0].name, "us-east-1")
  account   = try(data.aws_caller_identity.current[0].account_id, "000000000000")
  # Alarm ARNs are predictable: the dashboards list them without waiting for the alarms.
  alarm_arn_prefix = "arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:"

  signals = {
    job_failure             = { name = "job-failure", metric = "TriggeredRules", stat = "Sum", extended = null, op = "GreaterThanOrEqualToThreshold" }
    data_freshness          = { name = "data-freshness", metric = "DataAgeHours", stat = "Maximum", extended = null, op = "GreaterThanThreshold" }
    duration_regression     = { name = "duration-regression", metric = "JobDurationSeconds", stat = "Maximum", extended = null, op = "GreaterThanThreshold" }
    validation_failure_rate = { name = "validation-failure-rate", metric = "ValidationPassRate", stat = "Minimum", extended = null, op = "LessThanThreshold" }
    quality_score           = { name = "quality-score", metric = "DataQualityScore", stat = "Minimum", extended = null, op = "LessThanThreshold" }
    volume_anomaly          = { name = "volume-anomaly", metric = "RecordsProcessed", stat = "Sum", extended = null, op = "LessThanLowerOrGreaterThanUpperThreshold" }
    api_errors              = { name = "api-errors", metric = "ApiErrors", stat = "Sum", extended = null, op = "GreaterThanThreshold" }
    api_latency             = { name = "api-latency", metric = "ApiLatencyMs", stat = null, extended = "p95", op = "GreaterThanThreshold" }
  }

  job_names = { for k, j in var.jobs : k => coalesce(j.glue_job_name, k) }
  # EventBridge rule names stop at 64 characters: a longer one keeps its start and gets a hash of the whole
  rule_names = { for k, j in var.jobs : k => (length("${var.name_prefix}-${k}-job-state") <= 64 ? "${var.name_prefix}-${k}-job-state" :
  "${substr("${var.name_prefix}-${k}", 0, 45)}-${substr(md5("${var.name_prefix}-${k}"), 0, 8)}-job-state") }
  job_dimensions = { for k, j in var.jobs : k => { JobName = local.job_names[k], Environment = var.environment } }

  # ---- effective settings: job override > alarm_period_seconds (periods only) > alarm_defaults --------------
  settings = { for x in flatten([for k, j in var.jobs : [for s in keys(local.signals) : {
    key                 = "${k}/${s}"
    job                 = k
    signal              = s
    enabled             = coalesce(try(j.alarms[s].enabled, null), var.alarm_defaults[s].enabled)
    thresholds          = try(j.alarms[s].thresholds, null) != null ? j.alarms[s].thresholds : var.alarm_defaults[s].thresholds
    period              = coalesce(try(j.alarms[s].period_seconds, null), var.alarm_period_seconds, var.alarm_defaults[s].period_seconds)
    evaluation_periods  = try(coalesce(try(j.alarms[s].evaluation_periods, null), var.alarm_defaults[s].evaluation_periods), null)
    datapoints_to_alarm = try(coalesce(try(j.alarms[s].datapoints_to_alarm, null), var.alarm_defaults[s].datapoints_to_alarm), null)
    treat_missing_data  = coalesce(try(j.alarms[s].treat_missing_data, null), var.alarm_defaults[s].treat_missing_data)
    runbook             = coalesce(try(j.alarms[s].runbook_url, null), "${coalesce(j.runbook_url, var.runbook_base_url)}#${local.signals[s].name}")
  }]]) : x.key => x }

  freshness_thresholds_by_job = { for k, j in var.jobs : k => (
    try(local.settings["${k}/data_freshness"].enabled, false) ? try(local.settings["${k}/data_freshness"].thresholds, tomap({})) : tomap({})
  ) }

  slo_set = { for k, j in var.jobs : k => {
    success_rate = j.slo.success_rate_percent != null
    freshness    = j.slo.freshness_percent != null
  } }

  # ---- one entry per metric alarm: <job>/<signal>/<severity> ----------------------------------------------
  signal_alarms = { for x in flatten([for key, st in local.settings : [for sev, t in st.thresholds : {
    key      = "${st.job}/${local.signals[st.signal].name}/${sev}"
    job      = st.job
    signal   = local.signals[st.signal].name
    input    = st.signal
    severity = sev
    t        = t
    st       = st
    # the freshness window: the threshold's hours, within CloudWatch's evaluation range
    evaluation_periods = st.evaluation_periods != null ? st.evaluation_periods : (st.signal == "data_freshness" ? max(1, min(ceil(t * 3600 / st.period), floor((st.period >= 3600 ? 604800 : 86400) / st.period))) : 1)
    kind = (
      st.signal == "volume_anomaly" || (st.signal == "duration_regression" && var.jobs[st.job].usual_duration_seconds == null) ? "band" :
      st.signal == "api_errors" ? "math" : "static"
    )
  }] if st.enabled]) : x.key => x }

  metric_alarm_specs = merge(
    { for key, a in local.signal_alarms : key => {
      job                 = a.job
      signal              = a.signal
      severity            = a.severity
      name                = "${var.name_prefix}-${a.job}-${a.signal}-${a.severity}"
      description         = "${title(a.severity)}: ${local.what[key]}. Severity: ${a.severity}. Runbook: ${a.st.runbook}"
      kind                = a.kind
      namespace           = a.kind == "static" ? (a.input == "job_failure" ? "AWS/Events" : local.namespace) : null
      metric_name         = a.kind == "static" ? local.signals[a.input].metric : null
      dimensions_json     = a.kind == "static" ? jsonencode(a.input == "job_failure" ? { RuleName = local.rule_names[a.job] } : local.job_dimensions[a.job]) : null
      statistic           = a.kind == "static" ? local.signals[a.input].stat : null
      extended_statistic  = a.kind == "static" ? local.signals[a.input].extended : null
      period              = a.kind == "static" ? a.st.period : null
      comparison_operator = a.kind == "band" ? (a.input == "volume_anomaly" ? "LessThanLowerOrGreaterThanUpperThreshold" : "GreaterThanUpperThreshold") : local.signals[a.input].op
      threshold = a.kind == "band" ? null : (
        a.input == "validation_failure_rate" ? 100 - a.t :
        a.input == "duration_regression" ? a.t * coalesce(var.jobs[a.job].usual_duration_seconds, 1) : a.t
      )
      threshold_metric_id = a.kind == "band" ? "band" : null
      evaluation_periods  = a.evaluation_periods
      datapoints_to_alarm = coalesce(a.st.datapoints_to_alarm, a.evaluation_periods)
      treat_missing_data  = a.st.treat_missing_data
      queries_json = (
        a.kind == "band" ? jsonencode([
          { id = "m1", expression = null, label = local.signals[a.input].metric, return_data = true, metric = { namespace = local.namespace, metric_name = local.signals[a.input].metric, dimensions = local.job_dimensions[a.job], stat = local.signals[a.input].stat, period = a.st.period } },
          { id = "band", expression = "ANOMALY_DETECTION_BAND(m1, ${a.t})", label = "expected ${local.signals[a.input].metric}", return_data = true, metric = null },
          ]) : a.kind == "math" ? jsonencode([
          { id = "errors", expression = null, label = "ApiErrors", return_data = false, metric = { namespace = local.namespace, metric_name = "ApiErrors", dimensions = local.job_dimensions[a.job], stat = "Sum", period = a.st.period } },
          { id = "calls", expression = null, label = "ApiCalls", return_data = false, metric = { namespace = local.namespace, metric_name = "ApiCalls", dimensions = local.job_dimensions[a.job], stat = "Sum", period = a.st.period } },
          { id = "error_rate", expression = "IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)", label = "API error rate (%)", return_data = true, metric = null },
        ]) : "[]"
      )
      runbook = a.st.runbook
    } },
    { for key, w in local.slo_windows : key => {
      job                 = w.job
      signal              = w.signal
      severity            = "info"
      name                = "${var.name_prefix}-${w.job}-${w.signal}-info"
      description         = "Info: ${w.what} burns the error budget of its ${w.objective}% objective at ${w.burn_rate}x or more over ${w.label}. One window of the multi-window burn-rate alert ${var.name_prefix}-${w.job}-${w.slo}-${var.jobs[w.job].slo.severity}, which pages only when both of its windows burn. Severity: info. Runbook: ${w.runbook}"
      kind                = "math"
      namespace           = null
      metric_name         = null
      dimensions_json     = null
      statistic           = null
      extended_statistic  = null
      period              = null
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = w.burn_rate
      threshold_metric_id = null
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries_json        = w.queries_json
      runbook             = w.runbook
    } },
  )

  # Human sentence of each signal alarm (the description starts with it).
  what = { for key, a in local.signal_alarms : key => (
    a.input == "job_failure" ? "Glue job ${local.job_names[a.job]} (${var.environment}) had ${a.t} or more runs end in ${join(" or ", var.jobs[a.job].failure_states)} within ${a.st.period} s (Glue Job State Change events matched by the EventBridge rule ${local.rule_names[a.job]}, AWS/Events TriggeredRules)" :
    a.input == "data_freshness" ? "Glue job ${local.job_names[a.job]} (${var.environment}) loaded no data fresher than ${a.t} h (DataAgeHours) in the last ${a.evaluation_periods * a.st.period >= 3600 ? "${format("%g", a.evaluation_periods * a.st.period / 3600)} h" : "${a.evaluation_periods * a.st.period} s"}: the data is stale or the job stopped reporting" :
    a.input == "duration_regression" ? (var.jobs[a.job].usual_duration_seconds != null ?
      "Glue job ${local.job_names[a.job]} (${var.environment}) ran longer than ${a.t}x its usual ${var.jobs[a.job].usual_duration_seconds} s (JobDurationSeconds > ${a.t * var.jobs[a.job].usual_duration_seconds} s)" :
    "Glue job ${local.job_names[a.job]} (${var.environment}) ran longer than its anomaly band of ${a.t} standard deviations (JobDurationSeconds)") :
    a.input == "validation_failure_rate" ? "Glue job ${local.job_names[a.job]} (${var.environment}) had more than ${a.t}% of its records fail validation (ValidationPassRate < ${100 - a.t}%)" :
    a.input == "quality_score" ? "Glue job ${local.job_names[a.job]} (${var.environment}) produced data with a quality score below ${a.t} (DataQualityScore)" :
    a.input == "volume_anomaly" ? "Glue job ${local.job_names[a.job]} (${var.environment}) processed an unusual number of records, outside its anomaly band of ${a.t} standard deviations (RecordsProcessed)" :
    a.input == "api_errors" ? "Glue job ${local.job_names[a.job]} (${var.environment}) saw more than ${a.t}% of its external API calls fail (100 x ApiErrors / ApiCalls)" :
    "Glue job ${local.job_names[a.job]} (${var.environment}) waited more than ${a.t} ms for its external API calls at p95 (ApiLatencyMs)"
  ) }

  # ---- SLO burn-rate alerts ----------------------------------------------------------------------------------
  slo_freshness_hours = { for k, j in var.jobs : k => coalesce(
    j.slo.freshness_threshold_hours,
    try(max(values(local.freshness_thresholds_by_job[k])...), null),
    25
  ) }

  slo_windows = { for x in flatten([for k, j in var.jobs : [for slo in ["success-rate", "freshness"] : [for w in flatten([for p in j.slo.burn_rate_windows : [
    { seconds = p.long_window_seconds, burn_rate = p.burn_rate },
    { seconds = p.short_window_seconds, burn_rate = p.burn_rate },
    ]]) : {
    key       = "${k}/slo-burn-${slo}-${w.seconds % 3600 == 0 ? "${w.seconds / 3600}h" : "${w.seconds / 60}m"}/info"
    job       = k
    slo       = "slo-burn-${slo}"
    signal    = "slo-burn-${slo}-${w.seconds % 3600 == 0 ? "${w.seconds / 3600}h" : "${w.seconds / 60}m"}"
    seconds   = w.seconds
    label     = w.seconds % 3600 == 0 ? "${w.seconds / 3600} h" : "${w.seconds / 60} min"
    burn_rate = w.burn_rate
    objective = slo == "success-rate" ? j.slo.success_rate_percent : j.slo.freshness_percent
    what      = slo == "success-rate" ? "Glue job ${local.job_names[k]} (${var.environment}): the failed-run share (JobsFailed / (JobsSucceeded + JobsFailed))" : "Glue job ${local.job_names[k]} (${var.environment}): the share of runs loading data older than ${local.slo_freshness_hours[k]} h (DataAgeHours)"
    runbook   = "${coalesce(j.runbook_url, var.runbook_base_url)}#slo-burn-${slo}"
    queries_json = slo == "success-rate" ? jsonencode([
      { id = "failed", expression = null, label = "JobsFailed", return_data = false, metric = { namespace = local.namespace, metric_name = "JobsFailed", dimensions = local.job_dimensions[k], stat = "Sum", period = w.seconds } },
      { id = "succeeded", expression = null, label = "JobsSucceeded", return_data = false, metric = { namespace = local.namespace, metric_name = "JobsSucceeded", dimensions = local.job_dimensions[k], stat = "Sum", period = w.seconds } },
      { id = "burn_rate", expression = "(FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0))) / ${format("%.6g", (100 - coalesce(j.slo.success_rate_percent, 99)) / 100)}", label = "burn rate", return_data = true, metric = null },
      ]) : jsonencode([
      { id = "fresh", expression = null, label = "runs with fresh data (%)", return_data = false, metric = { namespace = local.namespace, metric_name = "DataAgeHours", dimensions = local.job_dimensions[k], stat = "PR(:${local.slo_freshness_hours[k]})", period = w.seconds } },
      { id = "burn_rate", expression = "(100 - fresh) / ${format("%.6g", 100 - coalesce(j.slo.freshness_percent, 99))}", label = "burn rate", return_data = true, metric = null },
    ])
  }] if(slo == "success-rate" ? j.slo.success_rate_percent != null : j.slo.freshness_percent != null)]]) : x.key => x }

  slo_composites = { for x in flatten([for k, j in var.jobs : [for slo in ["success-rate", "freshness"] : {
    key      = "${k}/slo-burn-${slo}/${j.slo.severity}"
    job      = k
    signal   = "slo-burn-${slo}"
    severity = j.slo.severity
    name     = "${var.name_prefix}-${k}-slo-burn-${slo}-${j.slo.severity}"
    pairs = [for p in j.slo.burn_rate_windows : [
      "${k}/slo-burn-${slo}-${p.long_window_seconds % 3600 == 0 ? "${p.long_window_seconds / 3600}h" : "${p.long_window_seconds / 60}m"}/info",
      "${k}/slo-burn-${slo}-${p.short_window_seconds % 3600 == 0 ? "${p.short_window_seconds / 3600}h" : "${p.short_window_seconds / 60}m"}/info",
    ]]
    description = "${title(j.slo.severity)}: Glue job ${local.job_names[k]} (${var.environment}) burns the error budget of its ${slo == "success-rate" ? "success-rate objective of ${j.slo.success_rate_percent}% of runs" : "freshness objective of ${j.slo.freshness_percent}% of runs with data fresher than ${local.slo_freshness_hours[k]} h"} too fast: ${join(" or ", [for p in j.slo.burn_rate_windows : "${p.burn_rate}x over both ${p.long_window_seconds % 3600 == 0 ? "${p.long_window_seconds / 3600} h" : "${p.long_window_seconds / 60} min"} and ${p.short_window_seconds % 3600 == 0 ? "${p.short_window_seconds / 3600} h" : "${p.short_window_seconds / 60} min"}"])} (multi-window, multi-burn-rate). Severity: ${j.slo.severity}. Runbook: ${coalesce(j.runbook_url, var.runbook_base_url)}#slo-burn-${slo}"
  } if(slo == "success-rate" ? j.slo.success_rate_percent != null : j.slo.freshness_percent != null)]]) : x.key => x }

  # ---- health: any critical or warning alarm of the job -------------------------------------------------------
  # grouped once (a scan of every alarm per job would grow with jobs x alarms)
  paging_alarms_by_job = { for key, a in local.metric_alarm_specs : a.job => key... if contains(["critical", "warning"], a.severity) }
  paging_slo_by_job    = { for key, c in local.slo_composites : c.job => key... if contains(["critical", "warning"], c.severity) }
  health = { for k, j in var.jobs : k => {
    key             = "${k}/health/${j.health_severity}"
    severity        = j.health_severity
    name            = "${var.name_prefix}-${k}-health-${j.health_severity}"
    metric_children = sort(lookup(local.paging_alarms_by_job, k, []))
    slo_children    = sort(lookup(local.paging_slo_by_job, k, []))
    description     = "${title(j.health_severity)}: Glue job ${local.job_names[k]} (${var.environment}) is unhealthy: at least one of its critical or warning alarms is in ALARM (see the alarm that triggered it). Severity: ${j.health_severity}. Runbook: ${coalesce(j.runbook_url, var.runbook_base_url)}#health"
  } if j.health_severity != "none" }
  health_alarms = { for k, h in local.health : k => h if length(h.metric_children) + length(h.slo_children) > 0 }

  # ---- severities the configuration uses (each needs a topic; validated on alarm_topic_arns) -------------------
  severities_used = toset(flatten([
    [for key, a in local.metric_alarm_specs : a.severity],
    [for key, c in local.slo_composites : c.severity],
    [for k, h in local.health_alarms : h.severity],
  ]))

  # ---- failure events: a rule per job; its target is the topic of the job_failure alarm's top severity ----------
  failure_rules = { for k, j in var.jobs : k => {
    name     = local.rule_names[k]
    severity = try([for s in local.severities : s if contains(keys(local.settings["${k}/job_failure"].thresholds), s)][0], "critical")
    runbook  = local.settings["${k}/job_failure"].runbook
  } if var.create && local.settings["${k}/job_failure"].enabled && length(local.settings["${k}/job_failure"].thresholds) > 0 }

  job_keys      = var.create ? toset(keys(var.jobs)) : toset([])
  alarms_by_job = { for key, a in local.metric_alarm_specs : a.job => { key = key, spec = a }... }
  slo_by_job    = { for key, c in local.slo_composites : c.job => c... }

  tags = merge({ Module = "job_monitoring" }, var.tags)
}

# One module instance per job: the job's failure rule and target, metric alarms, SLO composites and health
# composite. (Terraform plans a resource's instances in a time that grows with the square of their number;
# per job, each resource has a handful of instances.)
module "job" {
  source   = "./modules/job"
  for_each = local.job_keys

  alarms = { for a in lookup(local.alarms_by_job, each.key, []) : a.key => {
    name                = a.spec.name
    description         = a.spec.description
    severity            = a.spec.severity
    namespace           = a.spec.namespace
    metric_name         = a.spec.metric_name
    dimensions_json     = a.spec.dimensions_json
    statistic           = a.spec.statistic
    extended_statistic  = a.spec.extended_statistic
    period              = a.spec.period
    comparison_operator = a.spec.comparison_operator
    threshold           = a.spec.threshold
    threshold_metric_id = a.spec.threshold_metric_id
    evaluation_periods  = a.spec.evaluation_periods
    datapoints_to_alarm = a.spec.datapoints_to_alarm
    treat_missing_data  = a.spec.treat_missing_data
    queries_json        = a.spec.queries_json
  } }
  slo_composites = { for c in lookup(local.slo_by_job, each.key, []) : c.key => {
    name        = c.name
    description = c.description
    severity    = c.severity
    # both windows of a pair must burn: the long one proves the budget is really going, the short one that it still is
    rule = join(" OR ", [for pair in c.pairs : "(${join(" AND ", [for key in pair : "ALARM(\"${local.alarm_arn_prefix}${local.metric_alarm_specs[key].name}\")"])})"])
  } }
  health = { for k, h in local.health_alarms : k => {
    name        = h.name
    description = h.description
    severity    = h.severity
    # OR of ALARM("<arn>") only: the one form LocalStack evaluates too
    rule = join(" OR ", concat(
      [for key in h.metric_children : "ALARM(\"${local.alarm_arn_prefix}${local.metric_alarm_specs[key].name}\")"],
      [for key in h.slo_children : "ALARM(\"${local.alarm_arn_prefix}${local.slo_composites[key].name}\")"],
    ))
  } if k == each.key }
  failure_rule = { for k, r in local.failure_rules : k => {
    name        = r.name
    description = "Glue Job State Change of ${local.job_names[k]} to ${join(", ", var.jobs[k].failure_states)} (job monitoring, ${var.environment})."
    event_pattern = jsonencode({
      source        = ["aws.glue"]
      "detail-type" = ["Glue Job State Change"]
      detail = {
        jobName = [local.job_names[k]]
        state   = var.jobs[k].failure_states
      }
    })
    notify   = var.failure_event_notifications
    severity = r.severity
    # a JSON string (quoted): EventBridge escapes what it substitutes inside it, so any Glue message stays valid,
    # and subscribers get one readable sentence
    input_template = "\"${upper(r.severity)}: Glue job <job> ended in state <state> at <time> (run <run>, account <account>, <region>, environment ${var.environment}). Glue says: <message> -- Runbook: ${r.runbook}\""
  } if k == each.key }

  alarm_topic_arns = var.alarm_topic_arns
  tag_alarms       = var.tag_alarms
  tags             = local.tags
}
