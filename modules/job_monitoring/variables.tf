variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every name: alarms are <name_prefix>-<job>-<signal>-<severity>, dashboards <name_prefix>-etl-main and <name_prefix>-etl-metrics."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,38}[A-Za-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-40 letters, digits or '-', starting with a letter and ending with a letter or digit; got \"${var.name_prefix}\"."
  }
}

variable "environment" {
  description = "Environment of the jobs: the Environment dimension of the custom metrics and the namespace Glue/ETL/<environment> (docs/metrics.md)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or '-', starting with a letter (e.g. dev, staging, prod); got \"${var.environment}\"."
  }
}

variable "metric_namespace" {
  description = "Namespace of the custom metrics. null = Glue/ETL/<environment>, the contract of docs/metrics.md."
  type        = string
  default     = null

  validation {
    condition     = var.metric_namespace == null || can(regex("^[A-Za-z0-9._/#:-]{1,255}$", coalesce(var.metric_namespace, "x"))) && !startswith(coalesce(var.metric_namespace, "x"), "AWS/")
    error_message = "metric_namespace must be 1-255 letters, digits or . _ / # : - and must not start with AWS/ (reserved for AWS); got \"${coalesce(var.metric_namespace, "null")}\"."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the topic_arns output of the notifications module. Every alarm notifies (alarm and OK) the topic of its severity; every severity the jobs use needs a topic."
  type        = map(string)

  validation {
    condition     = alltrue([for s in keys(var.alarm_topic_arns) : contains(["critical", "warning", "info"], s)])
    error_message = "alarm_topic_arns keys must be severities: critical, warning, info; got [${join(", ", keys(var.alarm_topic_arns))}]."
  }

  validation {
    condition     = alltrue([for s, arn in var.alarm_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "alarm_topic_arns values must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<name>); got ${join(", ", [for s, arn in var.alarm_topic_arns : format("%s = %s", s, arn) if !can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])}."
  }

  validation {
    condition     = length(setsubtract(local.severities_used, keys(var.alarm_topic_arns))) == 0
    error_message = "alarm_topic_arns has no topic for the severities [${join(", ", setsubtract(local.severities_used, keys(var.alarm_topic_arns)))}], which the jobs' alarms use: add a topic for each, or remove those severities from the thresholds."
  }
}

variable "alarm_period_seconds" {
  description = "When set, the period of every per-run alarm that has no per-job period (SLO windows keep theirs). null = each signal's own default. The tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) % 60 == 0 && coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) <= 86400)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400; got ${coalesce(var.alarm_period_seconds, 0)}."
  }
}

variable "alarm_defaults" {
  description = <<-EOT
    Defaults of every signal, overridable per job in jobs[*].alarms. thresholds is a record severity -> threshold
    (cdk-monitoring-constructs style): each entry is one alarm, {} or enabled = false makes none. What a threshold means:
      job_failure             failed/timed-out runs in a period (>=)                  default { critical = 1 }
      data_freshness          DataAgeHours (>); no datapoint for the window = stale   default { critical = 25 }
      duration_regression     multiple of usual_duration_seconds (>), or, without it,
                              the width of the anomaly band in standard deviations    default { warning = 2 }
      validation_failure_rate percent of records failing validation (>)               default { warning = 10 }
      quality_score           DataQualityScore 0-1 below which the run is bad (<)     default { warning = 0.9 }
      volume_anomaly          RecordsProcessed anomaly band width (std deviations)    default { info = 2 }
      api_errors              percent of external API calls failing (>)               default { warning = 5 }
      api_latency             ApiLatencyMs p95 in milliseconds (>)                    default { warning = 2000 }
    evaluation_periods null = computed (data_freshness: the threshold's hours as a window), datapoints_to_alarm
    null = evaluation_periods.
  EOT
  type = object({
    job_failure = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { critical = 1 })
      period_seconds      = optional(number, 300)
      evaluation_periods  = optional(number, 1)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "notBreaching")
    }), {})
    data_freshness = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { critical = 25 })
      period_seconds      = optional(number, 3600)
      evaluation_periods  = optional(number)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "breaching")
    }), {})
    duration_regression = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { warning = 2 })
      period_seconds      = optional(number, 3600)
      evaluation_periods  = optional(number, 1)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "ignore")
    }), {})
    validation_failure_rate = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { warning = 10 })
      period_seconds      = optional(number, 300)
      evaluation_periods  = optional(number, 1)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "ignore")
    }), {})
    quality_score = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { warning = 0.9 })
      period_seconds      = optional(number, 300)
      evaluation_periods  = optional(number, 1)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "ignore")
    }), {})
    volume_anomaly = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { info = 2 })
      period_seconds      = optional(number, 3600)
      evaluation_periods  = optional(number, 1)
      datapoints_to_alarm = optional(number)
      treat_missing_data  = optional(string, "ignore")
    }), {})
    api_errors = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { warning = 5 })
      period_seconds      = optional(number, 300)
      evaluation_periods  = optional(number, 3)
      datapoints_to_alarm = optional(number, 2)
      treat_missing_data  = optional(string, "notBreaching")
    }), {})
    api_latency = optional(object({
      enabled             = optional(bool, true)
      thresholds          = optional(map(number), { warning = 2000 })
      period_seconds      = optional(number, 300)
      evaluation_periods  = optional(number, 3)
      datapoints_to_alarm = optional(number, 2)
      treat_missing_data  = optional(string, "notBreaching")
    }), {})
  })
  default = {}

  validation {
    condition     = alltrue(flatten([for s, c in var.alarm_defaults : [for sev in keys(c.thresholds) : contains(["critical", "warning", "info"], sev)]]))
    error_message = "alarm_defaults: thresholds keys must be severities (critical, warning, info); got ${join(", ", flatten([for s, c in var.alarm_defaults : [for sev in keys(c.thresholds) : format("%s.%s", s, sev) if !contains(["critical", "warning", "info"], sev)]]))}."
  }

  validation {
    condition     = alltrue(flatten([for s, c in var.alarm_defaults : [for sev, t in c.thresholds : t >= 0]]))
    error_message = "alarm_defaults: thresholds must be zero or more; got ${join(", ", flatten([for s, c in var.alarm_defaults : [for sev, t in c.thresholds : format("%s.%s = %s", s, sev, t) if t < 0]]))}."
  }

  validation {
    condition     = alltrue([for s, c in var.alarm_defaults : contains([10, 20, 30], c.period_seconds) || (c.period_seconds % 60 == 0 && c.period_seconds >= 60 && c.period_seconds <= 86400)])
    error_message = "alarm_defaults: period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400; got ${join(", ", [for s, c in var.alarm_defaults : format("%s = %s", s, c.period_seconds)])}."
  }

  validation {
    condition     = alltrue([for s, c in var.alarm_defaults : coalesce(c.evaluation_periods, 1) >= 1 && floor(coalesce(c.evaluation_periods, 1)) == coalesce(c.evaluation_periods, 1) && coalesce(c.datapoints_to_alarm, 1) >= 1 && coalesce(c.datapoints_to_alarm, 1) <= coalesce(c.evaluation_periods, c.datapoints_to_alarm, 1)])
    error_message = "alarm_defaults: evaluation_periods must be a whole number >= 1 and datapoints_to_alarm between 1 and evaluation_periods."
  }

  validation {
    condition     = alltrue([for s, c in var.alarm_defaults : contains(["missing", "ignore", "breaching", "notBreaching"], c.treat_missing_data)])
    error_message = "alarm_defaults: treat_missing_data must be one of missing, ignore, breaching, notBreaching; got ${join(", ", [for s, c in var.alarm_defaults : format("%s = %s", s, c.treat_missing_data)])}."
  }

  validation {
    condition     = alltrue([for s, c in var.alarm_defaults : c.period_seconds * coalesce(c.evaluation_periods, 1) <= (c.period_seconds >= 3600 ? 604800 : 86400)])
    error_message = "alarm_defaults: period_seconds x evaluation_periods must be at most 86400 s (1 day) for periods under an hour, 604800 s (7 days) otherwise (CloudWatch's evaluation range)."
  }

  validation {
    condition = (
      alltrue([for t in values(var.alarm_defaults.validation_failure_rate.thresholds) : t <= 100]) &&
      alltrue([for t in values(var.alarm_defaults.quality_score.thresholds) : t <= 1]) &&
      alltrue([for t in values(var.alarm_defaults.api_errors.thresholds) : t <= 100]) &&
      alltrue([for t in values(var.alarm_defaults.duration_regression.thresholds) : t > 1]) &&
      alltrue([for t in values(var.alarm_defaults.volume_anomaly.thresholds) : t > 0]) &&
      alltrue([for t in values(var.alarm_defaults.data_freshness.thresholds) : t > 0]) &&
      alltrue([for t in values(var.alarm_defaults.job_failure.thresholds) : t >= 1])
    )
    error_message = "alarm_defaults: thresholds out of range: validation_failure_rate and api_errors are percents (0-100), quality_score is 0-1, duration_regression must be greater than 1 (a multiple or a band width), volume_anomaly and data_freshness greater than 0, job_failure at least 1."
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
      runbook_url             the runbook page of this job; null = runbook_base_url. Links get #<signal> appended
      alarms                  per-signal overrides of alarm_defaults (same fields, plus runbook_url: the full link)
      health_severity         severity of the composite health alarm (any critical or warning alarm of the job); "none" = no health alarm
      slo                     objectives in percent: success_rate_percent (runs that succeed), freshness_percent
                              (runs whose data is fresh); each set objective gets multi-window burn-rate alerts
      dashboard               show the job on the dashboards
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
    alarms = optional(object({
      job_failure = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      data_freshness = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      duration_regression = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      validation_failure_rate = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      quality_score = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      volume_anomaly = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      api_errors = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
      api_latency = optional(object({
        enabled             = optional(bool)
        thresholds          = optional(map(number))
        period_seconds      = optional(number)
        evaluation_periods  = optional(number)
        datapoints_to_alarm = optional(number)
        treat_missing_data  = optional(string)
        runbook_url         = optional(string)
      }))
    }), {})
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

  validation {
    condition     = alltrue([for k, j in var.jobs : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", k))])
    error_message = "jobs: its keys must be letters, digits, '_' or '-', starting with a letter or digit; got [${join(", ", [for k, j in var.jobs : k if !can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", k))])}]."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : j.glue_job_name == null || can(regex("^[^\\x22\\x5c]{1,255}$", coalesce(j.glue_job_name, "x")))])
    error_message = "jobs: glue_job_name must be 1-255 characters without quotes or backslashes; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, coalesce(j.glue_job_name, "null")) if !can(regex("^[^\\x22\\x5c]{1,255}$", coalesce(j.glue_job_name, "x")))])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : coalesce(j.schedule_interval_hours, 1) > 0 && coalesce(j.schedule_interval_hours, 1) <= 168])
    error_message = "jobs: schedule_interval_hours must be greater than 0 and at most 168 (a week), or null for on-demand jobs; got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, coalesce(j.schedule_interval_hours, 1)) if !(coalesce(j.schedule_interval_hours, 1) > 0 && coalesce(j.schedule_interval_hours, 1) <= 168)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : coalesce(j.usual_duration_seconds, 1) > 0])
    error_message = "jobs: usual_duration_seconds must be greater than 0 (or null for an anomaly band); got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, coalesce(j.usual_duration_seconds, 1)) if coalesce(j.usual_duration_seconds, 1) <= 0])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : length(j.failure_states) > 0 && alltrue([for s in j.failure_states : contains(["FAILED", "TIMEOUT", "STOPPED", "ERROR"], s)])])
    error_message = "jobs: failure_states must be a non-empty list of FAILED, TIMEOUT, STOPPED, ERROR; got ${join(", ", [for k, j in var.jobs : format("%s = [%s]", k, join(", ", j.failure_states)) if !(length(j.failure_states) > 0 && alltrue([for s in j.failure_states : contains(["FAILED", "TIMEOUT", "STOPPED", "ERROR"], s)]))])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : length(j.stages) <= 10 && alltrue([for s in j.stages : can(regex("^[A-Za-z0-9_-]{1,64}$", s))])])
    error_message = "jobs: stages must be at most 10 names of 1-64 letters, digits, '_' or '-'."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : contains(["critical", "warning", "info", "none"], j.health_severity)])
    error_message = "jobs: health_severity must be one of critical, warning, info, or none (no health alarm); got ${join(", ", [for k, j in var.jobs : format("%s = %s", k, j.health_severity) if !contains(["critical", "warning", "info", "none"], j.health_severity)])}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : alltrue([for u in concat([j.runbook_url], [for s, o in j.alarms : try(o.runbook_url, null)]) : u == null || can(regex("^https://[^\\s]+$", coalesce(u, "https://x")))])])
    error_message = "jobs: runbook_url (of a job or of an alarm) must be an https:// URL."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : [for sev in keys(coalesce(try(o.thresholds, null), {})) : contains(["critical", "warning", "info"], sev)]]]))
    error_message = "jobs: alarms.<signal>.thresholds keys must be severities (critical, warning, info); got ${join(", ", flatten([for k, j in var.jobs : [for s, o in j.alarms : [for sev in keys(coalesce(try(o.thresholds, null), {})) : format("%s.%s.%s", k, s, sev) if !contains(["critical", "warning", "info"], sev)]]]))}."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : [for sev, t in coalesce(try(o.thresholds, null), {}) : t >= 0]]]))
    error_message = "jobs: alarms.<signal>.thresholds must be zero or more; got ${join(", ", flatten([for k, j in var.jobs : [for s, o in j.alarms : [for sev, t in coalesce(try(o.thresholds, null), {}) : format("%s.%s.%s = %s", k, s, sev, t) if t < 0]]]))}."
  }

  validation {
    condition = alltrue([for k, j in var.jobs : (
      alltrue([for t in values(coalesce(try(j.alarms.validation_failure_rate.thresholds, null), {})) : t <= 100]) &&
      alltrue([for t in values(coalesce(try(j.alarms.quality_score.thresholds, null), {})) : t <= 1]) &&
      alltrue([for t in values(coalesce(try(j.alarms.api_errors.thresholds, null), {})) : t <= 100]) &&
      alltrue([for t in values(coalesce(try(j.alarms.duration_regression.thresholds, null), {})) : t > 1]) &&
      alltrue([for t in values(coalesce(try(j.alarms.volume_anomaly.thresholds, null), {})) : t > 0]) &&
      alltrue([for t in values(coalesce(try(j.alarms.data_freshness.thresholds, null), {})) : t > 0]) &&
      alltrue([for t in values(coalesce(try(j.alarms.job_failure.thresholds, null), {})) : t >= 1])
    )])
    error_message = "jobs: alarms thresholds out of range: validation_failure_rate and api_errors are percents (0-100), quality_score is 0-1, duration_regression must be greater than 1 (a multiple or a band width), volume_anomaly and data_freshness greater than 0, job_failure at least 1."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : try(o.period_seconds, null) == null || contains([10, 20, 30], coalesce(try(o.period_seconds, null), 60)) || (coalesce(try(o.period_seconds, null), 60) % 60 == 0 && coalesce(try(o.period_seconds, null), 60) >= 60 && coalesce(try(o.period_seconds, null), 60) <= 86400)]]))
    error_message = "jobs: alarms.<signal>.period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : coalesce(try(o.evaluation_periods, null), 1) >= 1 && floor(coalesce(try(o.evaluation_periods, null), 1)) == coalesce(try(o.evaluation_periods, null), 1) && coalesce(try(o.datapoints_to_alarm, null), 1) >= 1 && coalesce(try(o.datapoints_to_alarm, null), 1) <= coalesce(try(o.evaluation_periods, null), try(o.datapoints_to_alarm, null), 1)]]))
    error_message = "jobs: alarms.<signal>.evaluation_periods must be a whole number >= 1 and datapoints_to_alarm between 1 and evaluation_periods."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : contains(["missing", "ignore", "breaching", "notBreaching"], coalesce(try(o.treat_missing_data, null), "missing"))]]))
    error_message = "jobs: alarms.<signal>.treat_missing_data must be one of missing, ignore, breaching, notBreaching."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for s, o in j.alarms : coalesce(try(o.period_seconds, null), 60) * coalesce(try(o.evaluation_periods, null), 1) <= (coalesce(try(o.period_seconds, null), 60) >= 3600 ? 604800 : 86400)]]))
    error_message = "jobs: alarms.<signal>: period_seconds x evaluation_periods must be at most 86400 s (1 day) for periods under an hour, 604800 s (7 days) otherwise (CloudWatch's evaluation range)."
  }

  validation {
    condition     = alltrue(flatten([for k, j in var.jobs : [for t in values(coalesce(try(j.alarms.data_freshness.enabled, null), var.alarm_defaults.data_freshness.enabled) ? (try(j.alarms.data_freshness.thresholds, null) != null ? j.alarms.data_freshness.thresholds : var.alarm_defaults.data_freshness.thresholds) : tomap({})) : t >= coalesce(j.schedule_interval_hours, 0)]]))
    error_message = "jobs: every data_freshness threshold must be at least the job's schedule_interval_hours (a healthy job would be stale between two runs); got ${join(", ", flatten([for k, j in var.jobs : [for sev, t in(coalesce(try(j.alarms.data_freshness.enabled, null), var.alarm_defaults.data_freshness.enabled) ? (try(j.alarms.data_freshness.thresholds, null) != null ? j.alarms.data_freshness.thresholds : var.alarm_defaults.data_freshness.thresholds) : tomap({})) : format("%s.%s = %s h < %s h", k, sev, t, coalesce(j.schedule_interval_hours, 0)) if t < coalesce(j.schedule_interval_hours, 0)]]))}."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : alltrue([for o in [j.slo.success_rate_percent, j.slo.freshness_percent] : o == null || (coalesce(o, 50) > 0 && coalesce(o, 50) < 100)])])
    error_message = "jobs: slo.success_rate_percent and slo.freshness_percent must be greater than 0 and less than 100 (100 leaves no error budget), or null for no SLO."
  }

  validation {
    condition     = alltrue([for k, j in var.jobs : contains(["critical", "warning", "info"], j.slo.severity) && coalesce(j.slo.freshness_threshold_hours, 1) > 0])
    error_message = "jobs: slo.severity must be one of critical, warning, info, and slo.freshness_threshold_hours greater than 0."
  }

  validation {
    condition = alltrue([for k, j in var.jobs : length(j.slo.burn_rate_windows) > 0 && alltrue([for w in j.slo.burn_rate_windows :
      w.short_window_seconds < w.long_window_seconds && w.burn_rate > 0 &&
      w.long_window_seconds % 60 == 0 && w.short_window_seconds % 60 == 0 && w.short_window_seconds >= 60 && w.long_window_seconds <= 86400
      ]) && length(distinct(flatten([for w in j.slo.burn_rate_windows : [w.long_window_seconds, w.short_window_seconds]]))) == 2 * length(j.slo.burn_rate_windows)
    ])
    error_message = "jobs: slo.burn_rate_windows must be a non-empty list whose windows are multiples of 60 s between 60 and 86400, short < long, burn_rate > 0, and no window used twice (each window is one alarm)."
  }
}

variable "runbook_base_url" {
  description = "The runbook page every alarm description links to (with #<signal>), unless the job or the alarm sets its own."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/job-monitoring.md"

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_base_url))
    error_message = "runbook_base_url must be an https:// URL without a #fragment (the module appends #<signal>); got \"${var.runbook_base_url}\"."
  }
}

variable "failure_event_notifications" {
  description = "Also send each matching Glue Job State Change event, as a readable sentence, to the topic of the job_failure alarm's highest severity (it carries the run id and Glue's error message, which the alarm cannot)."
  type        = bool
  default     = true
}

variable "create_dashboards" {
  description = "Create the main ETL and custom-metrics dashboards of the jobs."
  type        = bool
  default     = true
}

variable "dlq_queue_names" {
  description = "Dead-letter queues whose depth and oldest-message age the custom-metrics dashboard shows."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.dlq_queue_names) <= 100 && alltrue([for q in var.dlq_queue_names : can(regex("^[A-Za-z0-9_-]{1,75}(\\.fifo)?$", q))])
    error_message = "dlq_queue_names must be at most 100 SQS queue names (1-80 letters, digits, '_' or '-', optionally ending in .fifo); got [${join(", ", var.dlq_queue_names)}]."
  }
}

variable "glue_log_group_names" {
  description = "Log groups the main dashboard's Logs Insights widgets query: where the jobs' JSON lines are (Glue 5.0 writes stdout to /aws-glue/jobs/output; Glue 4 continuous logging used /aws-glue/jobs/logs-v2)."
  type        = list(string)
  default     = ["/aws-glue/jobs/output"]

  validation {
    condition     = length(var.glue_log_group_names) >= 1 && length(var.glue_log_group_names) <= 50 && alltrue([for g in var.glue_log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", g))])
    error_message = "glue_log_group_names must be 1-50 log group names (letters, digits and _ . / # -)."
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
  default = {}

  validation {
    condition = (
      var.dashboard_limits.widgets >= 20 && var.dashboard_limits.widgets <= 500 &&
      var.dashboard_limits.metrics_per_widget >= 10 && var.dashboard_limits.metrics_per_widget <= 500 &&
      var.dashboard_limits.metrics_per_dashboard >= 50 && var.dashboard_limits.metrics_per_dashboard <= 2500 &&
      var.dashboard_limits.alarms_per_widget >= 1 && var.dashboard_limits.alarms_per_widget <= 100 &&
      var.dashboard_limits.body_bytes >= 16384 && var.dashboard_limits.body_bytes <= 1000000
    )
    error_message = "dashboard_limits must stay within CloudWatch's: widgets 20-500, metrics_per_widget 10-500, metrics_per_dashboard 50-2500, alarms_per_widget 1-100, body_bytes 16384-1000000."
  }
}

variable "tag_alarms" {
  description = "Put var.tags on the alarms too. LocalStack drops alarm tags (the re-plan would never be empty), so the examples and tests set false."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every taggable resource (EventBridge rules, and the alarms when tag_alarms)."
  type        = map(string)
  default     = {}
}
