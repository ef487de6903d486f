variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty; query_strings stays available)."
  type        = bool
  default     = true
  nullable    = false
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...): picks the retention and names the metric namespace Glue/ETL/<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or dashes, starting with a letter (e.g. dev, staging, prod); got \"${var.environment}\"."
  }
}

variable "name_prefix" {
  description = "Prefix of the names of the metric filters, saved queries (a folder in the console) and the KMS key alias."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "glue_log_group_prefix" {
  description = "Prefix of the environment's Glue log groups <prefix>/output, <prefix>/error (Glue 5.0: the jobs' --custom-logGroup-prefix) and <prefix>/logs-v2 (Glue 4.0: --continuous-log-logGroup). null = /aws-glue/jobs/<name_prefix>. Glue's account-wide defaults (/aws-glue/jobs/output, ...) are never created here."
  type        = string
  default     = null

  validation {
    # can() is false for null and for "": coalesce() would skip "" and let it through
    condition     = var.glue_log_group_prefix == null || (can(regex("^/[A-Za-z0-9_./#-]{0,480}[A-Za-z0-9_#-]$", var.glue_log_group_prefix)) && !contains(["/aws-glue/jobs", "/aws-glue"], coalesce(var.glue_log_group_prefix, "/x")))
    error_message = "glue_log_group_prefix must start with /, not end with /, hold only A-Z a-z 0-9 _ - / . # (at most 482 characters), and not be /aws-glue/jobs (Glue's account-wide default groups belong to every job of the account); got ${jsonencode(var.glue_log_group_prefix)}."
  }
}

variable "extra_log_groups" {
  description = "More log groups to create with the same key, by name (e.g. the Lambdas'). retention_in_days null = the module's retention; log_group_class STANDARD or INFREQUENT_ACCESS (no metric filters on those)."
  type = map(object({
    retention_in_days = optional(number)
    log_group_class   = optional(string, "STANDARD")
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for n, g in var.extra_log_groups : can(regex("^[A-Za-z0-9_./#-]{1,512}$", n))])
    error_message = "extra_log_groups keys must be CloudWatch log group names (1-512 of A-Z a-z 0-9 _ - / . #); wrong: ${join(", ", [for n, g in var.extra_log_groups : n if !can(regex("^[A-Za-z0-9_./#-]{1,512}$", n))])}."
  }

  validation {
    condition     = alltrue([for n, g in var.extra_log_groups : g.retention_in_days == null || contains(local.valid_retention_days, coalesce(g.retention_in_days, 1))])
    error_message = "extra_log_groups: retention_in_days must be null or one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; wrong: ${join(", ", [for n, g in var.extra_log_groups : "${n} = ${g.retention_in_days}" if !(g.retention_in_days == null || contains(local.valid_retention_days, coalesce(g.retention_in_days, 1)))])}."
  }

  validation {
    condition     = alltrue([for n, g in var.extra_log_groups : contains(["STANDARD", "INFREQUENT_ACCESS"], g.log_group_class)])
    error_message = "extra_log_groups: log_group_class must be STANDARD or INFREQUENT_ACCESS; wrong: ${join(", ", [for n, g in var.extra_log_groups : "${n} = ${g.log_group_class}" if !contains(["STANDARD", "INFREQUENT_ACCESS"], g.log_group_class)])}."
  }

  validation {
    condition     = length(setintersection(keys(var.extra_log_groups), values(local.glue_log_groups))) == 0
    error_message = "extra_log_groups must not repeat a name of the environment's Glue log groups: ${join(", ", setintersection(keys(var.extra_log_groups), values(local.glue_log_groups)))}."
  }
}

variable "retention_in_days" {
  description = "Retention of the log groups. null = by environment, from retention_days_by_environment (30 for an environment not in it)."
  type        = number
  default     = null

  validation {
    condition     = var.retention_in_days == null || contains(local.valid_retention_days, coalesce(var.retention_in_days, 1))
    error_message = "retention_in_days must be null or one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got ${coalesce(var.retention_in_days, 0)}."
  }
}

variable "retention_days_by_environment" {
  description = "Retention by environment when retention_in_days is null; other environments get 30 days."
  type        = map(number)
  default     = { dev = 7, staging = 30, prod = 90 }
  nullable    = false

  validation {
    condition     = alltrue([for e, d in var.retention_days_by_environment : contains(local.valid_retention_days, d)])
    error_message = "retention_days_by_environment values must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; wrong: ${join(", ", [for e, d in var.retention_days_by_environment : "${e} = ${d}" if !contains(local.valid_retention_days, d)])}."
  }
}

variable "create_kms_key" {
  description = "Create the customer-managed KMS key that encrypts the log groups. Set false and give kms_key_arn to bring your own."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of your own KMS key for the log groups, when create_kms_key = false. Its policy must let logs.<region>.amazonaws.com use it for these log groups."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; CloudWatch Logs does not take an alias), or null."
  }

  validation {
    condition     = var.create_kms_key != (var.kms_key_arn != null)
    error_message = "Give exactly one of create_kms_key = true or kms_key_arn: the log groups are encrypted with a customer-managed key."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Days KMS waits before deleting the created key after a destroy (7-30)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30; got ${var.kms_key_deletion_window_in_days}."
  }
}

variable "job_log_group_name" {
  description = "The log group with the framework's JSON lines, which the metric filters and the saved queries read. null = <glue_log_group_prefix>/output (Glue 5.0 writes stdout there); for Glue 4.0 jobs with continuous logging, <glue_log_group_prefix>/logs-v2."
  type        = string
  default     = null

  validation {
    condition     = var.job_log_group_name == null || can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.job_log_group_name))
    error_message = "job_log_group_name must be a CloudWatch log group name (1-512 of A-Z a-z 0-9 _ - / . #), or null; got ${jsonencode(var.job_log_group_name)}."
  }

  validation {
    condition     = try(var.extra_log_groups[coalesce(var.job_log_group_name, "-")].log_group_class, "STANDARD") == "STANDARD"
    error_message = "job_log_group_name must not be an INFREQUENT_ACCESS log group: CloudWatch Logs runs no metric filters there."
  }
}

variable "metric_namespace" {
  description = "Namespace of the metrics the filters publish. null = Glue/ETL/<environment> (docs/metrics.md)."
  type        = string
  default     = null

  validation {
    condition     = var.metric_namespace == null || (can(regex("^[A-Za-z0-9_./#: -]{1,255}$", coalesce(var.metric_namespace, "x"))) && !startswith(coalesce(var.metric_namespace, "x"), "AWS/"))
    error_message = "metric_namespace must be 1-255 of A-Z a-z 0-9 . - _ / # : and space, and must not start with AWS/ (reserved); got \"${coalesce(var.metric_namespace, "null")}\"."
  }
}

variable "extra_metric_filters" {
  description = <<-EOT
    More metric filters, by metric name. pattern is a CloudWatch Logs filter pattern; value the metric value
    ("1" or a selector like "$.row_count"); unit a CloudWatch unit; dimensions (up to 3, selectors from the
    JSON line) default to the contract's JobName and Environment ({} for none); default_value only without
    dimensions; log_group_name defaults to job_log_group_name.
  EOT
  type = map(object({
    pattern        = string
    value          = optional(string, "1")
    unit           = optional(string, "Count")
    dimensions     = optional(map(string))
    default_value  = optional(number)
    log_group_name = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for m, f in var.extra_metric_filters : can(regex("^[A-Za-z0-9_.-]{1,255}$", m))])
    error_message = "extra_metric_filters keys are metric names: 1-255 of A-Z a-z 0-9 _ . -; wrong: ${join(", ", [for m, f in var.extra_metric_filters : m if !can(regex("^[A-Za-z0-9_.-]{1,255}$", m))])}."
  }

  validation {
    condition     = alltrue([for m, f in var.extra_metric_filters : contains(local.valid_units, f.unit)])
    error_message = "extra_metric_filters: unit must be a CloudWatch unit (Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, ..., Count/Second, None); wrong: ${join(", ", [for m, f in var.extra_metric_filters : "${m} = ${f.unit}" if !contains(local.valid_units, f.unit)])}."
  }

  validation {
    condition     = alltrue([for m, f in var.extra_metric_filters : try(length(f.dimensions), 2) <= 3])
    error_message = "extra_metric_filters: a metric filter takes at most 3 dimensions; wrong: ${join(", ", [for m, f in var.extra_metric_filters : m if try(length(f.dimensions), 2) > 3])}."
  }

  validation {
    condition     = alltrue([for m, f in var.extra_metric_filters : f.default_value == null || try(length(f.dimensions), -1) == 0])
    error_message = "extra_metric_filters: default_value needs dimensions = {} (CloudWatch Logs rejects a default value on a filter with dimensions, and the contract dimensions apply when dimensions is null); wrong: ${join(", ", [for m, f in var.extra_metric_filters : m if !(f.default_value == null || try(length(f.dimensions), -1) == 0)])}."
  }

  validation {
    condition     = alltrue([for m, f in var.extra_metric_filters : length(trimspace(f.pattern)) > 0 && length(f.pattern) <= 1024])
    error_message = "extra_metric_filters: pattern must be a non-empty filter pattern of at most 1024 characters (e.g. { $.level = \"error\" })."
  }

  validation {
    condition     = length(setintersection(keys(var.extra_metric_filters), ["JobsStarted", "JobsSucceeded", "JobsFailed"])) == 0
    error_message = "extra_metric_filters must not redefine the contract's JobsStarted, JobsSucceeded, JobsFailed (docs/metrics.md)."
  }
}

variable "create_query_definitions" {
  description = "Save the Logs Insights queries (query_strings) in the console. The AWS emulators cannot create them (LocalStack 501, moto 500)."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
