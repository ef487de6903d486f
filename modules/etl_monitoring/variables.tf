variable "environment" {
  description = "Environment name: it names the resources and the metric namespace Glue/ETL/<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or dashes, starting with a letter (e.g. dev, staging, prod)."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name. Defaults to glue-etl-<environment>."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,39}$", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix must be 2-40 letters, digits or dashes, starting with a letter."
  }
}

variable "alert_subscriptions" {
  description = "Who hears the alerts: subscriptions of the severity topics (see the notifications module)."
  type = map(object({
    severity             = string
    protocol             = string
    endpoint             = string
    raw_message_delivery = optional(bool, false)
    filter_policy        = optional(string)
  }))
  default = {}
}

variable "alarm_period_seconds" {
  description = "Period of the alarms on AWS metrics. 60 in production; the tests use 10."
  type        = number
  default     = 60

  validation {
    condition     = contains([10, 20, 30], var.alarm_period_seconds) || (var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the Glue log groups. null = by environment (dev 7, staging 30, prod 90)."
  type        = number
  default     = null
}

variable "create_query_definitions" {
  description = "Save the Logs Insights queries of the monitoring guide. The AWS emulators cannot create them."
  type        = bool
  default     = true
}

variable "dlq_depth_thresholds" {
  description = "Messages in the dead-letter queue that raise an alarm, by severity."
  type        = map(number)
  default     = { warning = 1, critical = 100 }
}

variable "dlq_age_thresholds_seconds" {
  description = "Age of the oldest dead-letter message that raises an alarm, by severity."
  type        = map(number)
  default     = { warning = 3600, critical = 259200 }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the project's KMS keys are deleted after a destroy."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
