# Per-job alarms of Glue ETL jobs, routed by severity, built from one typed job list and one signal catalog
# (signals.json: what each signal watches, how it compares, its defaults, allowed range, description and
# dashboard line). docs/metrics.md is the contract of every metric name and dimension used here.
#
# Kinds of signal (signals.json "kind"), each built here once:
#   static      one metric, statistic or percentile, compared with the threshold (after the signal's transform)
#   band        the metric outside ANOMALY_DETECTION_BAND(m1, <threshold>)
#   error_rate  IF(calls > 0, 100 * FILL(errors, 0) / calls, 0), errors and calls named by the catalog
# Roll-ups:
#   slo-burn-*  multi-window, multi-burn-rate alerts (Google SRE workbook) on success rate and freshness: one
#               metric-math alarm per window WITHOUT actions, and a composite per objective that notifies
#   health      composite of the job's critical and warning alarms, WITHOUT actions: each of them notifies its
#               own severity, so one incident notifies once (README "One notification per incident")
# The job-failure signal is built on EventBridge: "Glue Job State Change" (FAILED, TIMEOUT, ...) -> a rule per
# job -> the rule's AWS/Events TriggeredRules metric -> alarm; the rule also sends a readable sentence to the
# topic. Glue publishes no AWS/Glue JobFailures metric.

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
  namespace = coalesce(var.metric_namespace, "Glue/ETL/${var.environment}")

  partition = try(data.aws_partition.current[0].partition, "aws")
  region    = try(data.aws_region.current[0].name, "us-east-1")
  account   = try(data.aws_caller_identity.current[0].account_id, "000000000000")
  # Alarm ARNs are predictable: composites and dashboards name them without waiting for the alarms.
  alarm_arn_prefix = "arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:"

  job_names = { for k, j in local.jobs : k => coalesce(j.glue_job_name, k) }
  # EventBridge rule names stop at 64 characters: a longer one keeps its start and gets a hash of the whole
  rule_names = { for k, j in local.jobs : k => (length("${var.name_prefix}-${k}-job-state") <= 64 ? "${var.name_prefix}-${k}-job-state" :
  "${substr("${var.name_prefix}-${k}", 0, 45)}-${substr(md5("${var.name_prefix}-${k}"), 0, 8)}-job-state") }
  # the other rules of a job (Glue Data Quality results, completed runs, runs past notify_delay_after), named alike
  notification_rule_names = { for x in flatten([for k, j in local.jobs : [for sfx in ["dq-results", "job-succeeded", "job-running-long"] : { key = "${k}/${sfx}", name = (
    length("${var.name_prefix}-${k}-${sfx}") <= 64 ? "${var.name_prefix}-${k}-${sfx}" : "${substr("${var.name_prefix}-${k}", 0, 63 - 9 - length(sfx))}-${substr(md5("${var.name_prefix}-${k}"), 0, 8)}-${sfx}"
  ) }]]) : x.key => x.name }
  job_dimensions = { for k, j in local.jobs : k => { JobName = local.job_names[k], Environment = var.environment } }
  # a job's notify_success: on, unless the job runs more often than every 6 hours (4+ "completed" messages a day
  # teach people to mute the info channel); set it per job to override
  notify_success = { for k, j in local.jobs : k => coalesce(j.notify_success, j.schedule_interval_hours == null ? true : j.schedule_interval_hours >= 6) }
  runbook_pages  = { for k, j in local.jobs : k => coalesce(j.runbook_url, var.runbook_url) }

  # ---- effective settings: job override > `alarms` > alarm_period_seconds (periods only) > the catalog ------------
  settings = { for x in flatten([for k, j in local.jobs : [for s, sig in local.alarm_signals : {
    key     = "${k}/${s}"
    job     = k
    signal  = s
    enabled = coalesce(try(j.alarms[s].enabled, null), try(var.alarms[s].enabled, null), true)
    thresholds = (
      try(j.alarms[s].thresholds, null) != null ? j.alarms[s].thresholds :
      try(var.alarms[s].thresholds, null) != null ? var.alarms[s].thresholds : tomap(sig.defaults.thresholds)
    )
    period              = coalesce(try(j.alarms[s].period_seconds, null), try(var.alarms[s].period_seconds, null), var.alarm_period_seconds, sig.defaults.period_seconds)
    evaluation_periods  = try(coalesce(try(j.alarms[s].evaluation_periods, null), try(var.alarms[s].evaluation_periods, null), sig.defaults.evaluation_periods), null)
    datapoints_to_alarm = try(coalesce(try(j.alarms[s].datapoints_to_alarm, null), try(var.alarms[s].datapoints_to_alarm, null)), null)
    treat_missing_data  = coalesce(try(j.alarms[s].treat_missing_data, null), try(var.alarms[s].treat_missing_data, null), sig.defaults.treat_missing_data)
    runbook             = coalesce(try(j.alarms[s].runbook_url, null), try(var.alarms[s].runbook_url, null), "${local.runbook_pages[k]}#${sig.name}")
  }]]) : x.key => x }

  # ---- one entry per signal alarm: <job>/<signal>/<severity> (the state's instance keys since 0.1) --------------
  # a signal of source data_quality is one alarm per ruleset of the job (jobs[*].data_quality_rulesets), named
  # <signal>-<ruleset>; the others one per severity
  signal_alarms = { for x in flatten([for key, st in local.settings : [for pair in setproduct(keys(st.thresholds), (
    local.alarm_signals[st.signal].source == "data_quality" ? local.jobs[st.job].data_quality_rulesets : [""]
    )) : {
    key      = "${st.job}/${local.alarm_signals[st.signal].name}${pair[1] == "" ? "" : "-${pair[1]}"}/${pair[0]}"
    sig_name = "${local.alarm_signals[st.signal].name}${pair[1] == "" ? "" : "-${pair[1]}"}"
    ruleset  = pair[1]
    job      = st.job
    input    = st.signal
    sig      = local.alarm_signals[st.signal]
    severity = pair[0]
    t        = st.thresholds[pair[0]]
    st       = st
    # a signal with a baseline (duration: usual_duration_seconds) falls back to its anomaly band without one
    variant = { for field in ["kind", "comparison", "description"] : field => (
      local.alarm_signals[st.signal].without_baseline != null && local.jobs[st.job].usual_duration_seconds == null ?
      local.alarm_signals[st.signal].without_baseline[field] : local.alarm_signals[st.signal][field]
    ) }
    # the threshold's hours in periods, within CloudWatch's evaluation range (the window of data_freshness)
    window_periods = max(1, min(ceil(st.thresholds[pair[0]] * 3600 / st.period), floor((st.period >= 3600 ? 604800 : 86400) / st.period)))
  }] if st.enabled]) : x.key => x }

  # data_freshness keeps its last report in view for the threshold's hours: CloudWatch looks a third further back
  # than evaluation_periods (its evaluation range, N + N/3), so N is three quarters of the window.
  evaluation_periods = { for key, a in local.signal_alarms : key => (
    a.st.evaluation_periods != null ? a.st.evaluation_periods : a.sig.window == "threshold_hours" ? max(1, ceil(a.window_periods * 3 / 4)) : 1
  ) }

  metric_alarm_specs = merge(
    { for key, a in local.signal_alarms : key => {
      job      = a.job
      signal   = a.sig.suppressed_by == null ? "${a.sig_name}-${a.severity}" : "${a.sig_name}-metric-${a.severity}"
      severity = a.severity
      # a signal suppressed by another (signals.json suppressed_by) is a silent metric alarm and a composite that
      # notifies (suppressed_composites, below): CloudWatch suppresses composites' actions only
      name = a.sig.suppressed_by == null ? "${var.name_prefix}-${a.job}-${a.sig_name}-${a.severity}" : "${var.name_prefix}-${a.job}-${a.sig_name}-metric-${a.severity}"
      description = join("", [
        "${title(a.severity)}: ",
        templatestring(a.variant.description, {
          job             = local.job_names[a.job]
          environment     = var.environment
          threshold       = a.t
          alarm_threshold = local.alarm_thresholds[key]
          severity        = a.severity
          period          = a.st.period % 3600 == 0 ? "${a.st.period / 3600} h" : "${a.st.period} s"
          window          = (a.window_periods * a.st.period) % 3600 == 0 ? "${a.window_periods * a.st.period / 3600} h" : "${a.window_periods * a.st.period} s"
          failure_states  = join(" or ", local.jobs[a.job].failure_states)
          rule            = local.rule_names[a.job]
          usual_duration  = coalesce(local.jobs[a.job].usual_duration_seconds, 0)
          ruleset         = a.ruleset
        }),
        a.sig.suppressed_by == null ? "" : ". No actions: the composite ${var.name_prefix}-${a.job}-${a.sig_name}-${a.severity} notifies for it, unless the job's ${local.alarm_signals[a.sig.suppressed_by].name} alarm notified the incident",
        a.sig.insufficient_data == null ? "" : ". When ${a.sig.insufficient_data}, INSUFFICIENT_DATA notifies the ${coalesce(a.sig.insufficient_data_severity, a.severity)} topic",
        local.announced_by_rule[key] ? ". No actions: the rule ${a.input == "job_failure" ? local.rule_names[a.job] : try(local.notification_rule_names["${a.job}/dq-results"], "")} sends each incident to the ${a.severity} topic as one sentence with its run and Glue's message" : "",
        ". Severity: ${a.severity}. Runbook: ${a.st.runbook}",
      ])
      notify                     = a.sig.suppressed_by == null && !local.announced_by_rule[key]
      notify_insufficient_data   = a.sig.insufficient_data != null
      insufficient_data_severity = coalesce(a.sig.insufficient_data_severity, a.severity)
      comparison_operator        = a.variant.comparison
      threshold                  = a.variant.kind == "band" ? null : local.alarm_thresholds[key]
      threshold_metric_id        = a.variant.kind == "band" ? "band" : null
      evaluation_periods         = local.evaluation_periods[key]
      # given: as given (validated); else the signal's default within evaluation_periods; else all of them
      datapoints_to_alarm = coalesce(a.st.datapoints_to_alarm, min(coalesce(a.sig.defaults.datapoints_to_alarm, local.evaluation_periods[key]), local.evaluation_periods[key]))
      treat_missing_data  = a.st.treat_missing_data
      metric = a.variant.kind != "static" ? null : {
        namespace   = lookup(local.source_namespaces, a.sig.source, local.namespace)
        metric_name = a.sig.metric
        dimensions = (
          a.sig.source == "events" ? tomap({ RuleName = local.rule_names[a.job] }) :
          a.sig.source == "glue" ? merge({ JobName = local.job_names[a.job], JobRunId = "ALL" }, a.sig.dimensions) :
          a.sig.source == "data_quality" ? tomap({ JobName = local.job_names[a.job], EvaluationContext = a.ruleset }) : local.job_dimensions[a.job]
        )
        statistic          = can(regex("^p[0-9]", a.sig.statistic)) ? null : a.sig.statistic
        extended_statistic = can(regex("^p[0-9]", a.sig.statistic)) ? a.sig.statistic : null
        period             = a.st.period
      }
      metric_queries = (
        a.variant.kind == "band" ? [
          { id = "m1", label = a.sig.metric, return_data = true, namespace = local.namespace, metric_name = a.sig.metric, dimensions = local.job_dimensions[a.job], stat = a.sig.statistic, period = a.st.period },
          ] : a.variant.kind == "error_rate" ? [
          { id = "errors", label = a.sig.metrics.errors, return_data = false, namespace = local.namespace, metric_name = a.sig.metrics.errors, dimensions = local.job_dimensions[a.job], stat = "Sum", period = a.st.period },
          { id = "calls", label = a.sig.metrics.calls, return_data = false, namespace = local.namespace, metric_name = a.sig.metrics.calls, dimensions = local.job_dimensions[a.job], stat = "Sum", period = a.st.period },
        ] : []
      )
      expressions = (
        a.variant.kind == "band" ? [{ id = "band", expression = "ANOMALY_DETECTION_BAND(m1, ${a.t})", label = "expected ${a.sig.metric}", return_data = true }] :
        a.variant.kind == "error_rate" ? [{ id = "error_rate", expression = "IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)", label = a.sig.label, return_data = true }] : []
      )
    } },
    { for key, w in local.slo_windows : key => {
      job                        = w.job
      signal                     = "${w.signal}-info"
      severity                   = "info"
      name                       = "${var.name_prefix}-${w.job}-${w.signal}-info"
      description                = "Info: ${w.what} burns the error budget of its ${w.objective}% objective at ${w.burn_rate}x or more over ${w.label}. One window of the multi-window burn-rate alert ${var.name_prefix}-${w.job}-${w.slo}-${local.jobs[w.job].slo.severity}, which notifies when both windows of a pair burn. No actions: only that alert notifies. Severity: info. Runbook: ${w.runbook}"
      notify                     = false
      notify_insufficient_data   = false
      insufficient_data_severity = "info"
      comparison_operator        = "GreaterThanOrEqualToThreshold"
      threshold                  = w.burn_rate
      threshold_metric_id        = null
      evaluation_periods         = 1
      datapoints_to_alarm        = 1
      treat_missing_data         = "notBreaching"
      metric                     = null
      metric_queries             = w.metric_queries
      expressions                = w.expressions
    } },
  )

  # where a signal's metric is (signals.json source): Glue's observability metrics are in namespace Glue
  # (JobName, JobRunId=ALL, Type, ObservabilityGroup), Glue Data Quality's in "Glue Data Quality" (JobName,
  # EvaluationContext), EventBridge's in AWS/Events (RuleName); custom ones in local.namespace
  source_namespaces = { events = "AWS/Events", glue = "Glue", data_quality = "Glue Data Quality" }

  # ---- suppressed signals: the composite that notifies for the silent metric alarm -----------------------------
  # ALARM(<metric alarm>), with the job's alarm of the signal it is suppressed by (its highest severity) as
  # actions_suppressor: a failed run that job-failure paged does not page again as glue-errors or out-of-memory.
  suppressed_composites = { for key, a in local.signal_alarms : key => {
    job      = a.job
    signal   = "${a.sig_name}-${a.severity}"
    severity = a.severity
    name     = "${var.name_prefix}-${a.job}-${a.sig_name}-${a.severity}"
    child    = local.metric_alarm_specs[key].name
    suppressor = try([for sev in local.severities : local.signal_alarms["${a.job}/${local.alarm_signals[a.sig.suppressed_by].name}/${sev}"]
    if contains(keys(local.signal_alarms), "${a.job}/${local.alarm_signals[a.sig.suppressed_by].name}/${sev}")][0], null)
    description = join("", [
      "${title(a.severity)}: ",
      templatestring(a.sig.description, {
        job    = local.job_names[a.job], environment = var.environment, threshold = a.t, alarm_threshold = local.alarm_thresholds[key], severity = a.severity
        period = a.st.period % 3600 == 0 ? "${a.st.period / 3600} h" : "${a.st.period} s", window = "", failure_states = join(" or ", local.jobs[a.job].failure_states)
        rule   = local.rule_names[a.job], usual_duration = 0, ruleset = a.ruleset
      }),
      ". No OK actions: its ALARM may have been suppressed, and an OK would close nothing",
      ". Severity: ${a.severity}. Runbook: ${a.st.runbook}",
    ])
  } if a.sig.suppressed_by != null }

  # One incident, one notification: a signal whose own EventBridge rule sends the incident as a sentence (the run
  # id and Glue's message, which an alarm cannot carry) keeps its alarm for the roll-ups and dashboards, silent.
  announced_by_rule = { for key, a in local.signal_alarms : key => a.sig.announced_by_rule && var.failure_event_notifications }

  # The alarm's own threshold: the signal's threshold after its transform (signals.json threshold.transform)
  alarm_thresholds = { for key, a in local.signal_alarms : key => (
    a.sig.threshold.transform == "complement_of_percent" ? 100 - a.t :
    a.sig.threshold.transform == "times_usual_duration" ? a.t * coalesce(local.jobs[a.job].usual_duration_seconds, 1) : a.t
  ) }

  # ---- SLO burn-rate alerts ----------------------------------------------------------------------------------
  freshness_thresholds_by_job = { for k, j in local.jobs : k => (
    try(local.settings["${k}/data_freshness"].enabled, false) ? try(local.settings["${k}/data_freshness"].thresholds, tomap({})) : tomap({})
  ) }
  slo_freshness_hours = { for k, j in local.jobs : k => coalesce(
    j.slo.freshness_threshold_hours,
    try(max(values(local.freshness_thresholds_by_job[k])...), null),
    25
  ) }
  slo_signals = {
    "success-rate" = local.catalog.signals.slo_burn_success_rate
    "freshness"    = local.catalog.signals.slo_burn_freshness
  }

  slo_windows = { for x in flatten([for k, j in local.jobs : [for slo in ["success-rate", "freshness"] : [for w in flatten([for p in j.slo.burn_rate_windows : [
    { seconds = p.long_window_seconds, burn_rate = p.burn_rate },
    { seconds = p.short_window_seconds, burn_rate = p.burn_rate },
    ]]) : {
    key       = "${k}/slo-burn-${slo}-${w.seconds % 3600 == 0 ? "${w.seconds / 3600}h" : "${w.seconds / 60}m"}/info"
    job       = k
    slo       = local.slo_signals[slo].name
    signal    = "${local.slo_signals[slo].name}-${w.seconds % 3600 == 0 ? "${w.seconds / 3600}h" : "${w.seconds / 60}m"}"
    label     = w.seconds % 3600 == 0 ? "${w.seconds / 3600} h" : "${w.seconds / 60} min"
    burn_rate = w.burn_rate
    objective = slo == "success-rate" ? j.slo.success_rate_percent : j.slo.freshness_percent
    what      = slo == "success-rate" ? "Glue job ${local.job_names[k]} (${var.environment}): the failed-run share (JobsFailed / (JobsSucceeded + JobsFailed))" : "Glue job ${local.job_names[k]} (${var.environment}): the share of runs loading data older than ${local.slo_freshness_hours[k]} h (DataAgeHours)"
    runbook   = "${local.runbook_pages[k]}#${local.slo_signals[slo].name}"
    metric_queries = slo == "success-rate" ? [
      for id, metric in local.slo_signals[slo].metrics : { id = id, label = metric, return_data = false, namespace = local.namespace, metric_name = metric, dimensions = local.job_dimensions[k], stat = local.slo_signals[slo].statistic, period = w.seconds }
      ] : [
      { id = "fresh", label = "runs with fresh data (%)", return_data = false, namespace = local.namespace, metric_name = local.slo_signals[slo].metric, dimensions = local.job_dimensions[k], stat = "PR(:${local.slo_freshness_hours[k]})", period = w.seconds },
    ]
    expressions = slo == "success-rate" ? [
      { id = "burn_rate", expression = "(FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0))) / ${format("%.6g", (100 - coalesce(j.slo.success_rate_percent, 99)) / 100)}", label = "burn rate", return_data = true },
      ] : [
      { id = "burn_rate", expression = "(100 - fresh) / ${format("%.6g", 100 - coalesce(j.slo.freshness_percent, 99))}", label = "burn rate", return_data = true },
    ]
  }] if(slo == "success-rate" ? j.slo.success_rate_percent != null : j.slo.freshness_percent != null)]]) : x.key => x }

  slo_composites = { for x in flatten([for k, j in local.jobs : [for slo in ["success-rate", "freshness"] : {
    key      = "${k}/slo-burn-${slo}/${j.slo.severity}"
    job      = k
    signal   = "${local.slo_signals[slo].name}-${j.slo.severity}"
    severity = j.slo.severity
    name     = "${var.name_prefix}-${k}-${local.slo_signals[slo].name}-${j.slo.severity}"
    pairs = [for p in j.slo.burn_rate_windows : [
      "${k}/slo-burn-${slo}-${p.long_window_seconds % 3600 == 0 ? "${p.long_window_seconds / 3600}h" : "${p.long_window_seconds / 60}m"}/info",
      "${k}/slo-burn-${slo}-${p.short_window_seconds % 3600 == 0 ? "${p.short_window_seconds / 3600}h" : "${p.short_window_seconds / 60}m"}/info",
    ]]
    # the alarm that notified this incident already: the highest severity of the signal it is suppressed by
    suppressor = try([for sev in local.severities : local.signal_alarms["${k}/${local.alarm_signals[local.slo_signals[slo].suppressed_by].name}/${sev}"]
    if contains(keys(local.signal_alarms), "${k}/${local.alarm_signals[local.slo_signals[slo].suppressed_by].name}/${sev}")][0], null)
    description = join("", [
      "${title(j.slo.severity)}: ",
      templatestring(local.slo_signals[slo].description, {
        job             = local.job_names[k]
        environment     = var.environment
        objective       = slo == "success-rate" ? j.slo.success_rate_percent : j.slo.freshness_percent
        freshness_hours = local.slo_freshness_hours[k]
        windows = join(" or ", [for p in j.slo.burn_rate_windows : join("", [
          "${p.burn_rate}x over both ",
          p.long_window_seconds % 3600 == 0 ? "${p.long_window_seconds / 3600} h" : "${p.long_window_seconds / 60} min", " and ",
          p.short_window_seconds % 3600 == 0 ? "${p.short_window_seconds / 3600} h" : "${p.short_window_seconds / 60} min",
        ])])
      }),
      ". No OK actions: its ALARM may have been suppressed, and an OK would close nothing",
      ". Severity: ${j.slo.severity}. Runbook: ${local.runbook_pages[k]}#${local.slo_signals[slo].name}",
    ])
  } if(slo == "success-rate" ? j.slo.success_rate_percent != null : j.slo.freshness_percent != null)]]) : x.key => x }

  # ---- health: a roll-up of the job's critical and warning alarms, without actions -------------------------------
  # grouped once (a scan of every alarm per job would grow with jobs x alarms)
  paging_alarms_by_job = { for key, a in local.metric_alarm_specs : a.job => key... if contains(["critical", "warning"], a.severity) }
  paging_slo_by_job    = { for key, c in local.slo_composites : c.job => key... if contains(["critical", "warning"], c.severity) }
  health = { for k, j in local.jobs : k => {
    key             = "${k}/health/${j.health_severity}"
    signal          = "${local.catalog.signals.health.name}-${j.health_severity}"
    severity        = j.health_severity
    name            = "${var.name_prefix}-${k}-${local.catalog.signals.health.name}-${j.health_severity}"
    metric_children = sort(lookup(local.paging_alarms_by_job, k, []))
    slo_children    = sort(lookup(local.paging_slo_by_job, k, []))
    description = join("", [
      "${title(j.health_severity)}: ",
      templatestring(local.catalog.signals.health.description, { job = local.job_names[k], environment = var.environment }),
      ". Severity: ${j.health_severity}. Runbook: ${local.runbook_pages[k]}#${local.catalog.signals.health.name}",
    ])
  } if j.health_severity != "none" }
  health_alarms = { for k, h in local.health : k => h if length(h.metric_children) + length(h.slo_children) > 0 }

  # ---- severities the configuration notifies (each needs a topic; validated on alarm_topic_arns) ---------------
  severities_used = toset(flatten([
    [for key, a in local.metric_alarm_specs : a.severity if a.notify],
    [for key, a in local.metric_alarm_specs : a.insufficient_data_severity if a.notify && a.notify_insufficient_data],
    [for key, c in local.slo_composites : c.severity],
    [for key, c in local.suppressed_composites : c.severity],
    [for key, r in local.notification_rules : r.severity],
  ]))

  # ---- failure events: a rule per job; its target is the topic of the job_failure alarm's top severity ----------
  failure_rules = { for k, j in local.jobs : k => {
    name     = local.rule_names[k]
    severity = try([for s in local.severities : s if contains(keys(local.settings["${k}/job_failure"].thresholds), s)][0], "critical")
    runbook  = local.settings["${k}/job_failure"].runbook
  } if var.create && local.settings["${k}/job_failure"].enabled && length(local.settings["${k}/job_failure"].thresholds) > 0 }

  # ---- notification rules: events that are a sentence on a topic, each per job and switchable ------------------
  #   dq-results        Glue Data Quality "Data Quality Evaluation Results Available", state FAILED, of the job's
  #                     evaluations (jobs[*].data_quality_rulesets non-empty, data_quality_rules on, sentences on)
  #                     -> the topic of data_quality_rules' highest severity
  #   job-succeeded     Glue Job State Change SUCCEEDED -> info (jobs[*].notify_success)
  #   job-running-long  Glue Job Run Status (the run passed the job's notify_delay_after) -> warning
  #                     (jobs[*].notify_running_long)
  glue_state_paths = { job = "$.detail.jobName", state = "$.detail.state", run = "$.detail.jobRunId", message = "$.detail.message", time = "$.time", account = "$.account", region = "$.region" }
  notification_rules = merge(
    { for k, j in local.jobs : "${k}/dq-results" => {
      job         = k
      name        = local.notification_rule_names["${k}/dq-results"]
      severity    = try([for s in local.severities : s if contains(keys(local.settings["${k}/data_quality_rules"].thresholds), s)][0], "warning")
      description = "Glue Data Quality results of ${local.job_names[k]} with failed rules (job monitoring, ${var.environment})."
      event_pattern = jsonencode({
        source        = ["aws.glue-dataquality"]
        "detail-type" = ["Data Quality Evaluation Results Available"]
        detail        = { context = { contextType = ["GLUE_JOB"], jobName = [local.job_names[k]] }, state = ["FAILED"] }
      })
      input_paths = {
        job    = "$.detail.context.jobName", context = "$.detail.context.evaluationContext", state = "$.detail.state", score = "$.detail.score"
        failed = "$.detail.rulesFailed", passed = "$.detail.rulesSucceeded", result = "$.detail.resultID", time = "$.time", account = "$.account", region = "$.region"
      }
      input_template = "\"${upper(try([for s in local.severities : s if contains(keys(local.settings["${k}/data_quality_rules"].thresholds), s)][0], "warning"))}: Glue job <job> failed <failed> Glue Data Quality rules (<passed> passed, score <score>, evaluation context <context>, result <result>) at <time> (account <account>, <region>, environment ${var.environment}; rulesets watched: ${join(", ", j.data_quality_rulesets)}) -- Runbook: ${local.settings["${k}/data_quality_rules"].runbook}\""
      } if var.failure_event_notifications && local.settings["${k}/data_quality_rules"].enabled && length(local.settings["${k}/data_quality_rules"].thresholds) > 0 && length(j.data_quality_rulesets) > 0
    },
    { for k, j in local.jobs : "${k}/job-succeeded" => {
      job            = k
      name           = local.notification_rule_names["${k}/job-succeeded"]
      severity       = local.catalog.signals.job_succeeded.defaults.severity
      description    = "Glue Job State Change of ${local.job_names[k]} to SUCCEEDED (job monitoring, ${var.environment})."
      event_pattern  = jsonencode({ source = ["aws.glue"], "detail-type" = [local.catalog.signals.job_succeeded.defaults.detail_type], detail = { jobName = [local.job_names[k]], state = local.catalog.signals.job_succeeded.defaults.states } })
      input_paths    = local.glue_state_paths
      input_template = "\"INFO: ${templatestring(local.catalog.signals.job_succeeded.description, { environment = var.environment })} -- Runbook: ${local.runbook_pages[k]}#${local.catalog.signals.job_succeeded.name}\""
    } if local.notify_success[k] },
    { for k, j in local.jobs : "${k}/job-running-long" => {
      job            = k
      name           = local.notification_rule_names["${k}/job-running-long"]
      severity       = local.catalog.signals.job_running_long.defaults.severity
      description    = "Glue Job Run Status of ${local.job_names[k]}: a run past its notify_delay_after (job monitoring, ${var.environment})."
      event_pattern  = jsonencode({ source = ["aws.glue"], "detail-type" = [local.catalog.signals.job_running_long.defaults.detail_type], detail = { jobName = [local.job_names[k]] } })
      input_paths    = local.glue_state_paths
      input_template = "\"WARNING: ${templatestring(local.catalog.signals.job_running_long.description, { environment = var.environment })} -- Runbook: ${local.runbook_pages[k]}#${local.catalog.signals.job_running_long.name}\""
    } if j.notify_running_long },
  )
  notification_rules_by_job = { for key, r in local.notification_rules : r.job => key... }
  suppressed_by_job         = { for key, c in local.suppressed_composites : c.job => key... }

  job_keys      = var.create ? toset(keys(local.jobs)) : toset([])
  alarms_by_job = { for key, a in local.metric_alarm_specs : a.job => key... }
  slo_by_job    = { for key, c in local.slo_composites : c.job => key... }

  tags = merge({ Module = "job_monitoring" }, var.tags)
}

# One module instance per job: the job's failure rule and target, metric alarms, SLO composites and health
# composite, passed as typed objects. (Terraform plans a resource's instances in a time that grows with the
# square of their number; per job, each resource has a handful of instances.)
module "job" {
  source   = "./modules/job"
  for_each = local.job_keys

  # the specs carry job and signal too (for the outputs); the typed input keeps what the alarm needs
  alarms = { for key in lookup(local.alarms_by_job, each.key, []) : key => local.metric_alarm_specs[key] }
  slo_composites = merge({ for key in lookup(local.slo_by_job, each.key, []) : key => {
    name        = local.slo_composites[key].name
    description = local.slo_composites[key].description
    severity    = local.slo_composites[key].severity
    notify      = true
    # One incident, one notification: while the job's own alarm of the same symptom (job-failure, data-freshness;
    # signals.json suppressed_by) is in ALARM, the burn-rate alert stays quiet. It waits for that alarm as long as
    # that alarm's period, and keeps quiet until the incident's datapoint has left every short window alarm's
    # evaluation range (its period and two more: a window of sparse runs keeps its last datapoint that long).
    # A burn that outlasts this notifies then (CloudWatch takes the actions of the state it is in).
    suppressor = local.slo_composites[key].suppressor == null ? null : {
      alarm            = "${local.alarm_arn_prefix}${var.name_prefix}-${each.key}-${local.slo_composites[key].suppressor.sig.name}-${local.slo_composites[key].suppressor.severity}"
      wait_period      = local.slo_composites[key].suppressor.st.period
      extension_period = 3 * max([for p in local.jobs[each.key].slo.burn_rate_windows : p.short_window_seconds]...)
    }
    # both windows of a pair must burn: the long one proves the budget is really going, the short one that it still is
    rule = join(" OR ", [for pair in local.slo_composites[key].pairs : "(${join(" AND ", [for w in pair : "ALARM(\"${local.alarm_arn_prefix}${local.metric_alarm_specs[w].name}\")"])})"])
    } }, { for key in lookup(local.suppressed_by_job, each.key, []) : "${key}/notify" => {
    name        = local.suppressed_composites[key].name
    description = local.suppressed_composites[key].description
    severity    = local.suppressed_composites[key].severity
    notify      = true
    rule        = "ALARM(\"${local.alarm_arn_prefix}${local.suppressed_composites[key].child}\")"
    # quiet while the suppressor is in ALARM; it waits for it one of its periods (the event and Glue's metric
    # land in the same minute or so), and keeps quiet for two periods of its own after (its datapoint's period)
    suppressor = local.suppressed_composites[key].suppressor == null ? null : {
      alarm            = "${local.alarm_arn_prefix}${var.name_prefix}-${each.key}-${local.suppressed_composites[key].suppressor.sig.name}-${local.suppressed_composites[key].suppressor.severity}"
      wait_period      = local.suppressed_composites[key].suppressor.st.period
      extension_period = 2 * local.signal_alarms[key].st.period
    }
  } })
  health = { for k, h in local.health_alarms : k => {
    name        = h.name
    description = h.description
    severity    = h.severity
    notify      = false
    # OR of ALARM("<arn>") only: the one form LocalStack evaluates too
    rule = join(" OR ", concat(
      [for key in h.metric_children : "ALARM(\"${local.alarm_arn_prefix}${local.metric_alarm_specs[key].name}\")"],
      [for key in h.slo_children : "ALARM(\"${local.alarm_arn_prefix}${local.slo_composites[key].name}\")"],
    ))
  } if k == each.key }
  failure_rule = { for k, r in local.failure_rules : k => {
    name        = r.name
    description = "Glue Job State Change of ${local.job_names[k]} to ${join(", ", local.jobs[k].failure_states)} (job monitoring, ${var.environment})."
    event_pattern = jsonencode({
      source        = ["aws.glue"]
      "detail-type" = ["Glue Job State Change"]
      detail = {
        jobName = [local.job_names[k]]
        state   = local.jobs[k].failure_states
      }
    })
    notify   = var.failure_event_notifications
    severity = r.severity
    # a JSON string (quoted): EventBridge escapes what it substitutes inside it, so any Glue message stays valid,
    # and subscribers get one readable sentence
    input_template = "\"${upper(r.severity)}: Glue job <job> ended in state <state> at <time> (run <run>, account <account>, <region>, environment ${var.environment}). Glue says: <message> -- Runbook: ${r.runbook}\""
  } if k == each.key }

  notification_rules = { for key in lookup(local.notification_rules_by_job, each.key, []) : key => {
    name           = local.notification_rules[key].name
    description    = local.notification_rules[key].description
    event_pattern  = local.notification_rules[key].event_pattern
    severity       = local.notification_rules[key].severity
    input_paths    = local.notification_rules[key].input_paths
    input_template = local.notification_rules[key].input_template
  } }

  alarm_topic_arns = var.alarm_topic_arns
  tag_alarms       = var.tag_alarms
  tags             = local.tags
}
