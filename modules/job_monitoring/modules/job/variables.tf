# Internal to modules/job_monitoring: the alarms and the failure rule of ONE job, built by the parent module from
# its signal catalog, as typed objects. One module instance per job keeps each resource's instance count small:
# Terraform 1.11 plans a resource's instances in a time that grows with the square of their number (2810 alarms in
# one resource: 224 s of CPU; the same in 10 module instances: 25 s).

variable "alarms" {
  description = "The job's metric alarms by <job>/<signal>/<severity>: a single metric (metric) or metric math (metric_queries and expressions). notify = false: no actions (an SLO window, whose composite notifies); notify_insufficient_data: INSUFFICIENT_DATA notifies too."
  type = map(object({
    name                     = string
    description              = string
    severity                 = string
    notify                   = bool
    notify_insufficient_data = bool
    # the topic of an INSUFFICIENT_DATA notification: the alarm's severity, or lower (a job that stopped reporting)
    insufficient_data_severity = string
    comparison_operator        = string
    threshold                  = optional(number)
    threshold_metric_id        = optional(string)
    evaluation_periods         = number
    datapoints_to_alarm        = number
    treat_missing_data         = string
    metric = optional(object({
      namespace          = string
      metric_name        = string
      dimensions         = map(string)
      statistic          = optional(string)
      extended_statistic = optional(string)
      period             = number
    }))
    metric_queries = optional(list(object({
      id          = string
      label       = string
      return_data = bool
      namespace   = string
      metric_name = string
      dimensions  = map(string)
      stat        = string
      period      = number
    })), [])
    expressions = optional(list(object({
      id          = string
      expression  = string
      label       = string
      return_data = bool
    })), [])
  }))
  default  = {}
  nullable = false
}

variable "slo_composites" {
  description = "The job's composites that notify unless their suppressor (an alarm ARN) is in ALARM: the SLO burn-rate composites by <job>/slo-burn-<slo>/<severity>, and those of signals suppressed by another by <job>/<signal>/<severity>/notify, with their rules."
  type = map(object({
    name        = string
    description = string
    severity    = string
    rule        = string
    notify      = bool
    suppressor = optional(object({
      alarm            = string
      wait_period      = number
      extension_period = number
    }))
  }))
  default  = {}
  nullable = false
}

variable "health" {
  description = "The job's composite health roll-up by job key (at most one), with its rule; notify = false: no actions."
  type = map(object({
    name        = string
    description = string
    severity    = string
    rule        = string
    notify      = bool
  }))
  default  = {}
  nullable = false
}

variable "failure_rule" {
  description = "The job's Glue Job State Change rule by job key (at most one); notify adds its SNS target."
  type = map(object({
    name           = string
    description    = string
    event_pattern  = string
    notify         = bool
    severity       = string
    input_template = string
  }))
  default  = {}
  nullable = false
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity."
  type        = map(string)
  nullable    = false
}

variable "tag_alarms" {
  description = "Put tags on the alarms too."
  type        = bool
}

variable "tags" {
  description = "Tags of the taggable resources."
  type        = map(string)
  nullable    = false
}

variable "notification_rules" {
  description = "The job's rules whose events are a sentence on the topic of their severity (Glue Data Quality results, completed runs, runs past notify_delay_after), by <job>/<rule>."
  type = map(object({
    name           = string
    description    = string
    event_pattern  = string
    severity       = string
    input_paths    = map(string)
    input_template = string
  }))
  default  = {}
  nullable = false
}
