# Internal to modules/job_monitoring: the alarms and the failure rule of ONE job, built by the parent module.
# One module instance per job keeps each resource's instance count small: Terraform 1.11 plans a resource's
# instances in a time that grows with the square of their number (2810 alarms in one resource: 224 s of CPU;
# the same in 10 module instances: 25 s).

variable "alarms" {
  description = "The job's metric alarms by <job>/<signal>/<severity> (specs computed by the parent)."
  type = map(object({
    name                = string
    description         = string
    severity            = string
    namespace           = string
    metric_name         = string
    dimensions_json     = string
    statistic           = string
    extended_statistic  = string
    period              = number
    comparison_operator = string
    threshold           = number
    threshold_metric_id = string
    evaluation_periods  = number
    datapoints_to_alarm = number
    treat_missing_data  = string
    queries_json        = string
  }))
}

variable "slo_composites" {
  description = "The job's SLO burn-rate composites by <job>/slo-burn-<slo>/<severity>, with their rules."
  type = map(object({
    name        = string
    description = string
    severity    = string
    rule        = string
  }))
  default = {}
}

variable "health" {
  description = "The job's composite health alarm by job key (at most one), with its rule."
  type = map(object({
    name        = string
    description = string
    severity    = string
    rule        = string
  }))
  default = {}
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
  default = {}
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity."
  type        = map(string)
}

variable "tag_alarms" {
  description = "Put tags on the alarms too."
  type        = bool
}

variable "tags" {
  description = "Tags of the taggable resources."
  type        = map(string)
}
