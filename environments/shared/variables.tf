# The variables every environment takes (environments/<env>/variables.tf links here): what differs between
# two deployments of the same environment (region, who hears the alerts, the account's layout). What makes
# an environment itself (its jobs, budgets, retention) is data in its main.tf.

variable "aws_region" {
  description = "Region of the Glue jobs and of their monitoring."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as us-east-1 or eu-west-2; got ${jsonencode(var.aws_region)}."
  }
}

variable "alert_subscriptions" {
  description = "Who hears the alerts, by name: { severity = critical|warning|info, protocol = email|email-json|https|sqs|lambda, endpoint = ... }."
  type = map(object({
    severity             = string
    protocol             = string
    endpoint             = string
    raw_message_delivery = optional(bool, false)
    filter_policy        = optional(string)
  }))
  default  = {}
  nullable = false
}

variable "alarm_period_seconds" {
  description = "When set, the period of every alarm without one of its own. null on AWS (each signal's own period); the emulator tests use 10."
  type        = number
  default     = null
}

variable "aws_only_features" {
  description = "Create what the AWS emulators cannot (Budgets, Cost Anomaly Detection, X-Ray rules and groups, Athena named queries, saved Logs Insights queries). Keep true on AWS."
  type        = bool
  default     = true
  nullable    = false
}

variable "anomaly_monitor_arn" {
  description = "The account's SERVICE cost anomaly monitor, when another environment of the account owns it (one per account): its anomaly_monitor_arn output there. null = this environment's own, or none."
  type        = string
  default     = null
}

variable "data_lake_buckets" {
  description = "The data-lake buckets this environment's jobs read and write, by a short key: { bucket = name, prefix = optional }. Request metrics, 4xx/5xx and growth alarms (modules/data_lake_monitoring). {} = none (the buckets are the team's, not this stack's)."
  type = map(object({
    bucket          = string
    prefix          = optional(string)
    storage_metrics = optional(bool)
  }))
  default  = {}
  nullable = false
}

variable "cloudtrail_log_group_name" {
  description = "Log group of the account's CloudTrail trail (management events, Read included): the job roles' Secrets Manager reads are counted from it. null = not watched."
  type        = string
  default     = null
}
