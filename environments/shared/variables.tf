variable "aws_region" {
  description = "Region of the Glue jobs and of their monitoring."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as us-east-1 or eu-west-2."
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
  default = {}
}

variable "alarm_period_seconds" {
  description = "Period of the alarms on AWS metrics (60 on AWS; the emulator tests use 10)."
  type        = number
  default     = 60
}

variable "aws_only_features" {
  description = "Create what the AWS emulators cannot (Budgets, Cost Anomaly Detection, X-Ray rules and groups, Athena named queries, saved Logs Insights queries). Keep true on AWS."
  type        = bool
  default     = true
}

variable "anomaly_monitor_arn" {
  description = "The account's SERVICE cost anomaly monitor when another environment of the account owns it (one per account); null = create one."
  type        = string
  default     = null
}
