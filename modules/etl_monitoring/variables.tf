variable "create" {
  description = "Create the environment's monitoring. false creates nothing (every output is null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "environment" {
  description = "Environment name: it names the resources (glue-etl-<environment>-...) and the metric namespace Glue/ETL/<environment>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.environment))
    error_message = "environment must be 2-15 lowercase letters, digits or hyphens, starting with a letter (e.g. dev, staging, prod); got ${jsonencode(var.environment)}."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name. null = glue-etl-<environment>."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", coalesce(var.name_prefix, "-")))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource (Environment, ManagedBy and Project are added)."
  type        = map(string)
  default     = {}
  nullable    = false
}

# -- the jobs -------------------------------------------------------------------------------------------

variable "jobs" {
  description = <<-EOT
    The Glue jobs of the environment, by a short key: the `jobs` input of modules/job_monitoring (its README
    lists every field: glue_job_name, schedule_interval_hours, usual_duration_seconds, alarms, slo, ...).
    Their alarms and dashboards come from it; the remediation Lambda may retry them, the weekly report and
    the health check read them, tracing groups them. A job deployed by glue_jobs gets its Glue job name from
    there (<name_prefix>-<key>).
  EOT
  type        = any
  default     = {}
  nullable    = false

  validation {
    condition     = can(keys(var.jobs)) && alltrue([for k in try(keys(var.jobs), []) : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", k))])
    error_message = "jobs must be a map keyed by short job keys (letters, digits, '_' or '-', starting with a letter or digit), each value an object as modules/job_monitoring takes it."
  }
}

variable "glue_jobs" {
  description = <<-EOT
    Jobs this environment also deploys with modules/glue_job, by the key they have in `jobs` (each must be
    there): the script and the framework package (make glue-package), their sizing and their data. The job is
    <name_prefix>-<key>, encrypted with the environment's key, logging to the environment's log groups,
    sending to its dead-letter queue and audit trail. Fields left null take modules/glue_job's defaults;
    spark_ui = true keeps each run's Spark UI (event logs under spark-events/ of the artifacts bucket).
  EOT
  type = map(object({
    script_path                = string
    package_path               = string
    description                = optional(string)
    glue_version               = optional(string)
    worker_type                = optional(string)
    number_of_workers          = optional(number)
    execution_class            = optional(string)
    timeout_minutes            = optional(number)
    notify_delay_after_minutes = optional(number)
    max_retries                = optional(number)
    max_concurrent_runs        = optional(number)
    input_uris                 = optional(list(string), [])
    output_uris                = optional(list(string), [])
    job_arguments              = optional(map(string), {})
    spark_ui                   = optional(bool, false)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(setsubtract(keys(var.glue_jobs), try(keys(var.jobs), []))) == 0
    error_message = "glue_jobs keys must be keys of jobs (a deployed job is also monitored); not in jobs: ${jsonencode(setsubtract(keys(var.glue_jobs), try(keys(var.jobs), [])))}."
  }
}

variable "glue_artifacts_bucket" {
  description = "Existing S3 bucket the deployed jobs' scripts and packages are uploaded to. null = the environment's audit bucket, under glue-jobs/ (no lifecycle rule there)."
  type        = string
  default     = null
}

variable "pipelines" {
  description = "X-Ray groups: pipeline name -> the keys (in jobs) of its jobs. {} = one pipeline named after the environment with every job."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for p, ks in var.pipelines : length(setsubtract(ks, try(keys(var.jobs), []))) == 0])
    error_message = "pipelines must list keys of jobs."
  }
}

# -- the data lake ---------------------------------------------------------------------------------------

variable "data_lake_buckets" {
  description = "The data-lake buckets the jobs read and write, by a short key (modules/data_lake_monitoring buckets): request metrics and 4xx/5xx alarms per entry (a bucket, or a prefix of it), daily size and growth per bucket. Request metrics are billed as custom metrics. {} = none."
  type = map(object({
    bucket          = string
    prefix          = optional(string)
    storage_metrics = optional(bool)
    storage_type    = optional(string, "StandardStorage")
  }))
  default  = {}
  nullable = false
}

variable "cloudtrail_log_group_name" {
  description = "Log group of the account's (or organisation's) CloudTrail trail with Read management events: the job roles' Secrets Manager reads are counted from it. null = not watched (this module creates no trail: a trail is account-wide)."
  type        = string
  default     = null
}

variable "secret_reader_role_names" {
  description = "IAM role names whose GetSecretValue calls are counted, besides the roles of the jobs deployed by glue_jobs."
  type        = list(string)
  default     = []
  nullable    = false
}

# -- alerts ---------------------------------------------------------------------------------------------

variable "alert_subscriptions" {
  description = "Who hears the alerts: subscriptions of the severity topics, by name (modules/notifications' subscriptions)."
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

variable "alarms" {
  description = <<-EOT
    Alarm settings of the whole environment by signal, in the project's one override shape (CONTRIBUTING.md):
      the job signals of modules/job_monitoring/signals.json (job_failure, data_freshness, ...), defaults of
      every job (a job's own `alarms` win);
      depth, age: the records dead-letter queue (modules/dead_letter_queue);
      errors, dead_letters: each operations Lambda (modules/lambda_function).
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
    condition     = length(setsubtract(keys(var.alarms), local.alarm_signals)) == 0
    error_message = "alarms keys must be signals of the environment: ${join(", ", sort(local.alarm_signals))}; got ${jsonencode(sort(setsubtract(keys(var.alarms), local.alarm_signals)))}."
  }
}

variable "billing_alarms" {
  description = "The EstimatedCharges alarms (modules/cost_alerts' alarms): keyed by AWS/Billing ServiceName or `total`, thresholds severity -> USD. {} = total critical and AWSGlue warning at monthly_limit_usd. Only where owns_account_resources."
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
}

variable "alarm_period_seconds" {
  description = "When set, the period of every alarm without a period of its own (10, 20, 30 or a multiple of 60). null = each signal's own default. The emulator tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) <= 86400 && coalesce(var.alarm_period_seconds, 60) % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400, or null; got ${jsonencode(var.alarm_period_seconds)}."
  }
}

# -- encryption -----------------------------------------------------------------------------------------

variable "create_kms_key" {
  description = "Create the environment's one customer-managed key (modules/kms_key), which encrypts everything here. false: give kms_key_arn, a key whose policy admits what modules/kms_key's does."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "The environment's key when create_kms_key = false."
  type        = string
  default     = null

  validation {
    condition     = var.create_kms_key || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) when create_kms_key = false; got ${jsonencode(var.kms_key_arn)}."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Days the environment's key waits before deletion after a destroy (7-30)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number of days from 7 to 30; got ${jsonencode(var.kms_key_deletion_window_in_days)}."
  }
}

# -- logs -----------------------------------------------------------------------------------------------

variable "log_retention_in_days" {
  description = "Retention of the environment's log groups (Glue and Lambda). null = by environment (dev 7, staging 30, prod 90, else 30)."
  type        = number
  default     = null
}

# -- cost -----------------------------------------------------------------------------------------------

variable "monthly_limit_usd" {
  description = "The environment's monthly limit in USD: the Glue spend budget and the billing alarms' default threshold."
  type        = number
  nullable    = false

  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd must be a positive amount of USD; got ${jsonencode(var.monthly_limit_usd)}."
  }
}

variable "budgets" {
  description = "Monthly budgets by kind (modules/cost_alerts' budgets): glue_cost, glue_dpu_hours, s3_storage, api_gateway, each { limit, thresholds, cost_filters, unit }."
  type = map(object({
    limit        = optional(number)
    thresholds   = optional(list(object({ threshold = number, type = string, severity = string })))
    cost_filters = optional(map(list(string)))
    unit         = optional(string)
  }))
  default  = { glue_cost = {} }
  nullable = false
}

variable "anomaly_threshold_usd" {
  description = "Cost anomalies with at least this impact in USD notify the warning topic."
  type        = number
  default     = 50
  nullable    = false
}

variable "anomaly_monitor_arn" {
  description = "The account's SERVICE cost anomaly monitor (one per account) when another environment of the account created it; null = create one (only where owns_account_resources)."
  type        = string
  default     = null
}

variable "owns_account_resources" {
  description = <<-EOT
    This environment creates what exists once per account (and region): the X-Ray encryption setting, the
    Cost Anomaly Detection monitor and the account-wide EstimatedCharges alarms. true in exactly one
    environment of an account; the others set false (and give anomaly_monitor_arn to still be notified).
  EOT
  type        = bool
  default     = true
  nullable    = false
}

# -- audit trail ----------------------------------------------------------------------------------------

variable "audit_retention_days" {
  description = "Days the audit events are kept in S3."
  type        = number
  default     = 365
  nullable    = false
}

variable "audit_bytes_scanned_cutoff" {
  description = "Athena stops a query of the audit trail that would scan more than this many bytes."
  type        = number
  default     = 5368709120
  nullable    = false
}

variable "force_destroy_audit_bucket" {
  description = "Let terraform destroy the audit bucket with its objects (dev only)."
  type        = bool
  default     = false
  nullable    = false
}

# -- operations -----------------------------------------------------------------------------------------

variable "remediation_opt_out_jobs" {
  description = "Keys (in jobs) of the jobs the remediation Lambda must never restart."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "records_queue_consumed" {
  description = "Something of yours consumes the records queue (<name_prefix>-records, the dead-letter queue's source): the remediation Lambda then redrives dead letters there. false = nothing does, so it archives them to the audit bucket (dlq-archive/) before the queue's retention ends, and never moves them to a queue nobody reads."
  type        = bool
  default     = false
  nullable    = false
}

variable "freshness_max_age_hours" {
  description = "Data freshness the daily health check expects: s3://bucket/prefix/ -> maximum age in hours of the newest object."
  type        = map(number)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for uri, h in var.freshness_max_age_hours : can(regex("^s3://[a-z0-9.-]{3,63}/", uri)) && h > 0])
    error_message = "freshness_max_age_hours keys must be s3://bucket/prefix/ URIs and values positive hours."
  }
}

variable "dpu_hour_price" {
  description = "USD per DPU-hour, for the weekly report's cost estimate (us-east-1 Glue ETL: 0.44)."
  type        = number
  default     = 0.44
  nullable    = false
}

variable "lambda_build_dir" {
  description = "Where `make lambdas` (python -m tools.build_lambdas) wrote the Lambda zips, relative to the root module."
  type        = string
  default     = "../../build/lambda"
  nullable    = false
}

variable "aws_only_features" {
  description = "Create what the AWS emulators cannot: Budgets, Cost Anomaly Detection, X-Ray sampling rules, groups and encryption, Athena named queries, saved Logs Insights queries. Keep true on AWS; the test harness sets it false."
  type        = bool
  default     = true
  nullable    = false
}
