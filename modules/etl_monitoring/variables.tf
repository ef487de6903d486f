variable "environment" {
  description = "Environment name: it names the resources and the metric namespace Glue/ETL/<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.environment))
    error_message = "environment must be 2-15 lowercase letters, digits or dashes, starting with a letter (e.g. dev, staging, prod)."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name. Defaults to glue-etl-<environment>."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,23}$", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix must be 2-24 letters, digits or dashes, starting with a letter (X-Ray group names are at most 32 characters)."
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

variable "job_names" {
  description = "The Glue jobs of the environment (their alarms and dashboards come from the job_monitoring module): the Lambdas may retry and report on these, tracing groups them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for j in var.job_names : can(regex("^[^\"\\\\]{1,255}$", j))])
    error_message = "job_names must be Glue job names: 1-255 characters without quotes or backslashes."
  }
}

variable "pipelines" {
  description = "Pipelines for the X-Ray groups: pipeline name -> its job names. Empty = one pipeline named after the environment with all job_names."
  type        = map(list(string))
  default     = {}
}

variable "monthly_budget_usd" {
  description = "The environment's monthly Glue budget in USD (actual and forecast alerts), and the default billing alarm threshold."
  type        = number

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be a positive number of US dollars."
  }
}

variable "dpu_hours_budget" {
  description = "Monthly Glue DPU-hours usage budget; null = none."
  type        = number
  default     = null

  validation {
    condition     = var.dpu_hours_budget == null || try(var.dpu_hours_budget > 0, false)
    error_message = "dpu_hours_budget must be a positive number of DPU-hours, or null."
  }
}

variable "s3_storage_budget_usd" {
  description = "Monthly S3 storage budget in USD; null = none."
  type        = number
  default     = null

  validation {
    condition     = var.s3_storage_budget_usd == null || try(var.s3_storage_budget_usd > 0, false)
    error_message = "s3_storage_budget_usd must be a positive number of US dollars, or null."
  }
}

variable "anomaly_threshold_usd" {
  description = "Cost anomalies with at least this impact in USD notify the warning topic."
  type        = number
  default     = 50
}

variable "anomaly_monitor_arn" {
  description = "The account's existing SERVICE cost anomaly monitor (one per account), when another environment created it; null = create one."
  type        = string
  default     = null
}

variable "audit_retention_days" {
  description = "Days the audit events are kept in S3."
  type        = number
  default     = 365
}

variable "audit_bytes_scanned_cutoff" {
  description = "Athena stops a query of the audit trail that would scan more than this many bytes."
  type        = number
  default     = 5368709120
}

variable "force_destroy_audit_bucket" {
  description = "Let terraform destroy the audit bucket with its objects (dev only)."
  type        = bool
  default     = false
}

variable "remediation_opt_out_jobs" {
  description = "Jobs the remediation Lambda must never restart."
  type        = list(string)
  default     = []
}

variable "freshness_max_age_hours" {
  description = "Data freshness the daily health check expects: s3://bucket/prefix/ -> maximum age in hours of the newest object."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for uri, h in var.freshness_max_age_hours : can(regex("^s3://[a-z0-9.-]{3,63}/", uri)) && h > 0])
    error_message = "freshness_max_age_hours keys must be s3://bucket/prefix/ URIs and values positive hours."
  }
}

variable "dpu_hour_price" {
  description = "USD per DPU-hour, for the weekly report's cost estimate (us-east-1 Glue ETL: 0.44)."
  type        = number
  default     = 0.44
}

variable "lambda_build_dir" {
  description = "Where `make lambdas` (python -m tools.build_lambdas) wrote the Lambda zips, relative to the root module."
  type        = string
  default     = "../../build/lambda"
}

variable "aws_only_features" {
  description = "Create what the AWS emulators cannot: Budgets, Cost Anomaly Detection, X-Ray sampling rules, groups and encryption, Athena named queries, saved Logs Insights queries. Keep true on AWS; the test harness sets it false."
  type        = bool
  default     = true
}

variable "manage_xray_encryption" {
  description = "Manage the region's X-Ray encryption: one setting per account and region, so true in one environment of a shared account."
  type        = bool
  default     = true
}

