variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: alarms are <name_prefix>-<job>-<signal>-<severity>, rules <name_prefix>-<job>-job-state, dashboards <name_prefix>-etl-main and <name_prefix>-etl-metrics."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "environment" {
  description = "Environment of the jobs: the Environment dimension of the custom metrics and the namespace Glue/ETL/<environment> (docs/metrics.md)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or '-', starting with a letter (e.g. dev, staging, prod); got ${jsonencode(var.environment)}."
  }
}

variable "metric_namespace" {
  description = "Namespace of the custom metrics. null = Glue/ETL/<environment>, the contract of docs/metrics.md."
  type        = string
  default     = null

  validation {
    condition     = var.metric_namespace == null || (can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.metric_namespace)) && !startswith(coalesce(var.metric_namespace, "x"), "AWS/"))
    error_message = "metric_namespace must be 1-255 letters, digits or . _ / # : - and must not start with AWS/ (reserved for AWS), or null for Glue/ETL/<environment>; got ${jsonencode(var.metric_namespace)}."
  }
}

variable "jobs" {
  description = <<-EOT
    The Glue jobs to monitor, by a short key used in names (<name_prefix>-<key>-<signal>-<severity>):
      glue_job_name           the Glue job's name (JobName dimension, event pattern); null = the key
      schedule_interval_hours hours between scheduled runs; null = run on demand. The freshness thresholds must be >= it
      usual_duration_seconds  the duration baseline; null = an anomaly band learns it
      failure_states          Glue Job State Change states that count as a failure (FAILED, TIMEOUT, STOPPED, ERROR)
      stages                  the Stage dimension values of StageDurationSeconds shown on the dashboard
      runbook_url             the runbook page of this job; null = runbook_url. Links get #<signal> appended
      alarms                  this job's settings per signal, over the `alarms` input, field by field (the same shape)
      health_severity         severity in the name of the job's health roll-up (a composite of its critical and
                              warning alarms, drawn on the dashboards, without actions); "none" = no roll-up
      slo                     objectives in percent: success_rate_percent (runs that succeed), freshness_percent
                              (runs whose data is fresh); each set objective gets a multi-window burn-rate alert that
                              notifies slo.severity (its window alarms have no actions)
      dashboard               show the job on the dashboards
      data_quality_rulesets   the evaluation contexts (EvaluateDataQuality publishing_options
                              dataQualityEvaluationContext) of the job's Glue Data Quality rulesets: one
                              data_quality_rules alarm each, and failed results as a sentence; [] = none
      notify_success          a completed run (Glue Job State Change SUCCEEDED) tells the info topic; null = on,
                              unless schedule_interval_hours is under 6 (more than 4 messages a day)
      notify_running_long     a run past the job's notify_delay_after (Glue Job Run Status) tells the warning topic
  EOT
  type = map(object({
    glue_job_name           = optional(string)
    schedule_interval_hours = optional(number)
    usual_duration_seconds  = optional(number)
    failure_states          = optional(list(string), ["FAILED", "TIMEOUT"])
    stages                  = optional(list(string), ["extract", "transform", "load"])
    runbook_url             = optional(string)
    health_severity         = optional(string, "warning")
    dashboard               = optional(bool, true)
    data_quality_rulesets   = optional(list(string), [])
    notify_success          = optional(bool)
    notify_running_long     = optional(bool, true)
    alarms = optional(map(object({
      enabled             = optional(bool)
      thresholds          = optional(map(number))
      period_seconds      = optional(number)
      evaluation_periods  = optional(number)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string)
      runbook_url         = optional(string)
    })), {})
    slo = optional(object({
      success_rate_percent      = optional(number)
      freshness_percent         = optional(number)
      freshness_threshold_hours = optional(number)
      severity                  = optional(string, "critical")
      burn_rate_windows = optional(list(object({
        long_window_seconds  = number
        short_window_seconds = number
        burn_rate            = number
        })), [
        { long_window_seconds = 3600, short_window_seconds = 300, burn_rate = 14.4 },
        { long_window_seconds = 21600, short_window_seconds = 1800, burn_rate = 6 },
      ])
    }), {})
  }))
  nullable = false

  validation {
    condition     = alltrue([for k, j in var.jobs : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", k)) && j != null])
    error_message = "jobs keys must be letters, digits, '_' or '-', starting with a letter or digit, each with an object (at least {}); got ${jsonencode([for k, j in var.jobs : k if !can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", k)) || j == null])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(j.glue_job_name == null || can(regex("^[^\\x22\\x5c]{1,255}$", j.glue_job_name)), false)])
    error_message = "jobs.<job>.glue_job_name must be 1-255 characters without quotes or backslashes, or null for the key; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.glue_job_name, null))) if !try(j.glue_job_name == null || can(regex("^[^\\x22\\x5c]{1,255}$", j.glue_job_name)), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(j.schedule_interval_hours == null ? true : j.schedule_interval_hours > 0 && j.schedule_interval_hours <= 168, false)])
    error_message = "jobs.<job>.schedule_interval_hours must be greater than 0 and at most 168 (a week), or null for on-demand jobs; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.schedule_interval_hours, null))) if !try(j.schedule_interval_hours == null ? true : j.schedule_interval_hours > 0 && j.schedule_interval_hours <= 168, false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(j.usual_duration_seconds == null ? true : j.usual_duration_seconds > 0, false)])
    error_message = "jobs.<job>.usual_duration_seconds must be greater than 0, or null for an anomaly band; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.usual_duration_seconds, null))) if !try(j.usual_duration_seconds == null ? true : j.usual_duration_seconds > 0, false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(length(j.failure_states) > 0 && alltrue([for s in j.failure_states : contains(["FAILED", "TIMEOUT", "STOPPED", "ERROR"], s)]), false)])
    error_message = "jobs.<job>.failure_states must be a non-empty list of FAILED, TIMEOUT, STOPPED, ERROR; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.failure_states, null))) if !try(length(j.failure_states) > 0 && alltrue([for s in j.failure_states : contains(["FAILED", "TIMEOUT", "STOPPED", "ERROR"], s)]), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(length(j.stages) <= 10 && alltrue([for s in j.stages : can(regex("^[A-Za-z0-9_-]{1,64}$", s))]), false)])
    error_message = "jobs.<job>.stages must be at most 10 names of 1-64 letters, digits, '_' or '-'; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.stages, null))) if !try(length(j.stages) <= 10 && alltrue([for s in j.stages : can(regex("^[A-Za-z0-9_-]{1,64}$", s))]), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(length(j.data_quality_rulesets) <= 20 && length(distinct(j.data_quality_rulesets)) == length(j.data_quality_rulesets) && alltrue([for r in j.data_quality_rulesets : can(regex("^[A-Za-z0-9_.-]{1,100}$", r))]), false)])
    error_message = "jobs.<job>.data_quality_rulesets must be at most 20 distinct evaluation contexts of 1-100 letters, digits, '_', '.' or '-' (each names an alarm); got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.data_quality_rulesets, null))) if !try(length(j.data_quality_rulesets) <= 20 && length(distinct(j.data_quality_rulesets)) == length(j.data_quality_rulesets) && alltrue([for r in j.data_quality_rulesets : can(regex("^[A-Za-z0-9_.-]{1,100}$", r))]), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(contains(["critical", "warning", "info", "none"], j.health_severity), false)])
    error_message = "jobs.<job>.health_severity must be one of critical, warning, info, or none (no health roll-up); got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.health_severity, null))) if !try(contains(["critical", "warning", "info", "none"], j.health_severity), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(j.runbook_url == null || can(regex("^https://[^\\s#]+$", j.runbook_url)), false)])
    error_message = "jobs.<job>.runbook_url must be an https:// URL without a #fragment (the module appends #<signal>), or null for runbook_url; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try(j.runbook_url, null))) if !try(j.runbook_url == null || can(regex("^https://[^\\s#]+$", j.runbook_url)), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(alltrue([for o in [j.slo.success_rate_percent, j.slo.freshness_percent] : o == null || try(o > 0 && o < 100, false)]), false)])
    error_message = "jobs.<job>.slo.success_rate_percent and slo.freshness_percent must be greater than 0 and less than 100 (100 leaves no error budget), or null for no objective; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, jsonencode(try([j.slo.success_rate_percent, j.slo.freshness_percent], null))) if !try(alltrue([for o in [j.slo.success_rate_percent, j.slo.freshness_percent] : o == null || try(o > 0 && o < 100, false)]), false)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : try(contains(["critical", "warning", "info"], j.slo.severity) && (j.slo.freshness_threshold_hours == null ? true : j.slo.freshness_threshold_hours > 0), false)])
    error_message = "jobs.<job>.slo.severity must be one of critical, warning, info, and slo.freshness_threshold_hours greater than 0 or null (the data_freshness threshold); got ${join(", ", [for k, j in var.jobs : format("%s = %s / %s", k, jsonencode(try(j.slo.severity, null)), jsonencode(try(j.slo.freshness_threshold_hours, null))) if !try(contains(["critical", "warning", "info"], j.slo.severity) && (j.slo.freshness_threshold_hours == null ? true : j.slo.freshness_threshold_hours > 0), false)])}."
  }

  validation {
    condition = alltrue([for k, j in var.jobs : try(length(j.slo.burn_rate_windows) > 0 && alltrue([for w in j.slo.burn_rate_windows :
      w.short_window_seconds < w.long_window_seconds && w.burn_rate > 0 &&
      w.long_window_seconds % 60 == 0 && w.short_window_seconds % 60 == 0 && w.short_window_seconds >= 60 && w.long_window_seconds <= 86400
    ]) && length(distinct(flatten([for w in j.slo.burn_rate_windows : [w.long_window_seconds, w.short_window_seconds]]))) == 2 * length(j.slo.burn_rate_windows), false)])
    error_message = "jobs.<job>.slo.burn_rate_windows must be a non-empty list whose windows are multiples of 60 s between 60 and 86400, short < long, burn_rate > 0, and no window used twice (each window is one alarm); got ${jsonencode({ for k, j in var.jobs : k => try(j.slo.burn_rate_windows, null) })}."
  }

  # jobs[*].alarms: the checks of the `alarms` input (override_problems.tftpl), each problem naming its job
  validation {
    condition = alltrue(flatten([for k, j in var.jobs : [for s, o in try(j.alarms, {}) : trimspace(templatefile(local.override_check, {
      where = "jobs.${k}.alarms.${s}", o = o, sig = lookup(local.alarm_signals, s, null), signals = local.signal_keys, alarm_period_seconds = var.alarm_period_seconds
    })) == ""]]))
    error_message = "jobs.<job>.alarms: ${join("; ", compact(flatten([for k, j in var.jobs : [for s, o in try(j.alarms, {}) : trimspace(templatefile(local.override_check, {
      where = "jobs.${k}.alarms.${s}", o = o, sig = lookup(local.alarm_signals, s, null), signals = local.signal_keys, alarm_period_seconds = var.alarm_period_seconds
    }))]])))}."
  }

  validation {
    condition = alltrue(flatten([for k, j in var.jobs : [
      for t in values(try(coalesce(try(j.alarms.data_freshness.enabled, null), local.freshness_defaults.enabled) ? (
        try(j.alarms.data_freshness.thresholds, null) != null ? j.alarms.data_freshness.thresholds : local.freshness_defaults.thresholds
      ) : tomap({}), tomap({}))) :
      try(t >= coalesce(j.schedule_interval_hours, 0), true)
    ]]))
    error_message = "jobs.<job>: every data_freshness threshold (jobs.<job>.alarms.data_freshness, else alarms.data_freshness: ${jsonencode(local.freshness_defaults.thresholds)}) must be at least the job's schedule_interval_hours, or a healthy job is stale between two runs; got schedule_interval_hours ${jsonencode({ for k, j in var.jobs : k => try(j.schedule_interval_hours, null) })} and the jobs' own data_freshness thresholds ${jsonencode({ for k, j in var.jobs : k => try(j.alarms.data_freshness.thresholds, null) })}."
  }
}

variable "alarms" {
  description = <<-EOT
    Settings of each signal for every job, in the project's one override shape (CONTRIBUTING.md), keyed by the
    signals of the catalog (signals.json); jobs[*].alarms overrides them per job, field by field. thresholds is
    severity -> threshold, one alarm each ({} or enabled = false: none). What a threshold means (default):
      job_failure             failed runs in a period (>=), a whole number >= 1          { critical = 1 }
      data_freshness          hours of DataAgeHours (>), 0-168, >= schedule_interval   { critical = 25 }
      duration_regression     x usual_duration_seconds (>), or the band's width, > 1   { warning = 2 }
      validation_failure_rate percent of records failing validation (>), 0-100         { warning = 10 }
      quality_score           DataQualityScore below which a run is bad (<), 0-1       { warning = 0.9 }
      volume_anomaly          RecordsProcessed anomaly band width (std deviations), > 0 { info = 2 }
      api_errors              percent of external API calls failing (>), 0-100         { warning = 5 }
      api_latency             ApiLatencyMs p95 in milliseconds (>), > 0                { warning = 2000 }
      glue_errors             runs ending in a Glue error class (>=), whole >= 1       { warning = 1 }
      out_of_memory           runs ending out of memory, driver or executor (>=)       { warning = 1 }
      job_skewness            glue.driver.skewness.job (>), >= 0                       { info = 1 }
      worker_utilization      glue.driver.workerUtilization average (<), 0-100 %       { info = 30 }
      data_quality_rules      Glue Data Quality rules failed per ruleset (>=), >= 1    { warning = 1 }
      schema_changes          SchemaChanges in a period (>), whole >= 0                { info = 0 }
    glue_errors and out_of_memory stay quiet while the job's job_failure alarm is in ALARM (one notification per
    incident); the observability ones need Glue 4.0+ and --enable-observability-metrics.
    evaluation_periods null = the signal's default (data_freshness: a window of the threshold's hours),
    datapoints_to_alarm null = the signal's default, else evaluation_periods. runbook_url is the full link.
  EOT
  type = map(object({
    enabled             = optional(bool)
    thresholds          = optional(map(number))
    period_seconds      = optional(number)
    evaluation_periods  = optional(number)
    datapoints_to_alarm = optional(number)
    treat_missing_data  = optional(string)
    runbook_url         = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for s, o in var.alarms : trimspace(templatefile(local.override_check, {
      where = "alarms.${s}", o = o, sig = lookup(local.alarm_signals, s, null), signals = local.signal_keys, alarm_period_seconds = var.alarm_period_seconds
    })) == ""])
    error_message = "alarms: ${join("; ", compact([for s, o in var.alarms : trimspace(templatefile(local.override_check, {
      where = "alarms.${s}", o = o, sig = lookup(local.alarm_signals, s, null), signals = local.signal_keys, alarm_period_seconds = var.alarm_period_seconds
    }))]))}."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the topic_arns output of the notifications module. Every alarm that notifies sends ALARM and OK (data_freshness also INSUFFICIENT_DATA) to the topic of its severity; every severity the jobs use needs a topic."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s in keys(var.alarm_topic_arns) : contains(["critical", "warning", "info"], s)])
    error_message = "alarm_topic_arns keys must be severities: critical, warning, info; got ${jsonencode(keys(var.alarm_topic_arns))}."
  }

  validation {
    condition     = alltrue([for s, arn in var.alarm_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "alarm_topic_arns values must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<name>); got ${jsonencode({ for s, arn in var.alarm_topic_arns : s => arn if !can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn)) })}."
  }

  validation {
    condition     = length(setsubtract(local.severities_used, keys(var.alarm_topic_arns))) == 0
    error_message = "alarm_topic_arns has no topic for the severities [${join(", ", setsubtract(local.severities_used, keys(var.alarm_topic_arns)))}], which the jobs' alarms use: add a topic for each, or remove those severities from the thresholds."
  }
}

variable "alarm_period_seconds" {
  description = "When set, the period of every per-run alarm that has no period of its own (jobs[*].alarms or alarms); SLO windows keep theirs. null = each signal's default (signals.json). The tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || try(contains([10, 20, 30], var.alarm_period_seconds) || (var.alarm_period_seconds % 60 == 0 && var.alarm_period_seconds >= 60 && var.alarm_period_seconds <= 86400), false)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400, or null; got ${jsonencode(var.alarm_period_seconds)}."
  }
}

variable "runbook_url" {
  description = "The runbook page every alarm description ends with, as <runbook_url>#<signal> (signals.json names), unless the job or the alarm sets its own."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/job-monitoring.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL without a #fragment (the module appends #<signal>), at most 512 characters; got ${jsonencode(var.runbook_url)}."
  }
}

variable "failure_event_notifications" {
  description = "Also send each matching Glue Job State Change event, as a readable sentence, to the topic of the job_failure alarm's highest severity (it carries the run id and Glue's error message, which the alarm cannot)."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_dashboards" {
  description = "Create the main ETL and custom-metrics dashboards of the jobs."
  type        = bool
  default     = true
  nullable    = false
}

variable "dlq_queue_names" {
  description = "Dead-letter queues whose depth and oldest-message age the custom-metrics dashboard shows."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.dlq_queue_names) <= 100 && alltrue([for q in var.dlq_queue_names : can(regex("^[A-Za-z0-9_-]{1,75}(\\.fifo)?$", q))])
    error_message = "dlq_queue_names must be at most 100 SQS queue names (1-80 letters, digits, '_' or '-', optionally ending in .fifo); got ${jsonencode(var.dlq_queue_names)}."
  }
}

variable "glue_log_group_names" {
  description = "Log groups the main dashboard's Logs Insights widgets query: where the jobs' JSON lines are. [] = /aws-glue/jobs/<name_prefix>/output, the job log group modules/log_groups creates for the same name_prefix (Glue 5.0 writes stdout to <prefix>/output with --custom-logGroup-prefix; Glue 4 continuous logging wrote to <prefix>/logs-v2)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.glue_log_group_names) <= 50 && alltrue([for g in var.glue_log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", g))])
    error_message = "glue_log_group_names must be at most 50 log group names of 1-512 letters, digits and _ . / # - ([] = /aws-glue/jobs/<name_prefix>/output); got ${jsonencode(var.glue_log_group_names)}."
  }
}

variable "dashboard_limits" {
  description = "What one dashboard may hold before the module starts another: CloudWatch allows 500 widgets per dashboard, 500 metrics per graph, 2500 metrics per dashboard and 100 alarms per alarm-status widget; body_bytes is our own budget for the JSON body (kept well below the PutDashboard request size)."
  type = object({
    widgets               = optional(number, 500)
    metrics_per_widget    = optional(number, 500)
    metrics_per_dashboard = optional(number, 2500)
    alarms_per_widget     = optional(number, 100)
    body_bytes            = optional(number, 262144)
  })
  default  = {}
  nullable = false

  validation {
    condition = try(
      var.dashboard_limits.widgets >= 20 && var.dashboard_limits.widgets <= 500 &&
      var.dashboard_limits.metrics_per_widget >= 10 && var.dashboard_limits.metrics_per_widget <= 500 &&
      var.dashboard_limits.metrics_per_dashboard >= 50 && var.dashboard_limits.metrics_per_dashboard <= 2500 &&
      var.dashboard_limits.alarms_per_widget >= 1 && var.dashboard_limits.alarms_per_widget <= 100 &&
      var.dashboard_limits.body_bytes >= 16384 && var.dashboard_limits.body_bytes <= 1000000
    , false)
    error_message = "dashboard_limits must stay within CloudWatch's: widgets 20-500, metrics_per_widget 10-500, metrics_per_dashboard 50-2500, alarms_per_widget 1-100, body_bytes 16384-1000000; got ${jsonencode(var.dashboard_limits)}."
  }
}

variable "tag_alarms" {
  description = "Put var.tags on the alarms too. LocalStack 4.x drops alarm tags (the re-plan would never be empty), so set false there."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for every taggable resource (EventBridge rules, and the alarms when tag_alarms)."
  type        = map(string)
  default     = {}
  nullable    = false
}
