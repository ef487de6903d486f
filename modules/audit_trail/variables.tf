variable "create" {
  description = "Create anything at all. false plans nothing."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_athena_named_queries" {
  description = "Save the audit queries as Athena named queries. moto creates them but answers 500 on delete, LocalStack community not at all, so the emulator tests switch this off (EMULATOR_GAPS); the plan tests and tests/modules/test_audit_queries.py cover them."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. glue-etl-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "bucket_name" {
  description = "Name of the audit bucket. null = <name_prefix>-audit-<account id>."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.bucket_name, "x")))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit."
  }
}

variable "events_prefix" {
  description = "Key prefix of the audit events: they land under s3://<bucket>/<events_prefix>/<table>/year=YYYY/month=MM/day=DD/ (docs/metrics.md). The jobs' --audit_uri is the audit_uri output."
  type        = string
  default     = "audit"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.events_prefix)) && !startswith(var.events_prefix, "athena-results")
    error_message = "events_prefix must be one or more path segments of letters, digits, '_', '.' or '-' separated by '/', without a leading or trailing '/', and not athena-results (the query results' prefix)."
  }
}

variable "database_name" {
  description = "Glue catalog database of the audit tables (the named queries run in it)."
  type        = string
  default     = "audit_trail"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.database_name))
    error_message = "database_name must be 1-255 lowercase letters, digits or underscores, starting with a letter (Athena needs no quoting then)."
  }
}

variable "create_kms_key" {
  description = "Create the customer-managed KMS key of the audit trail (bucket, query results). false = use kms_key_arn."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "An existing symmetric KMS key for the bucket and the query results, when create_kms_key = false. Its policy must let the writers and readers use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = var.create_kms_key || var.kms_key_arn != null
    error_message = "kms_key_arn is required when create_kms_key = false."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number between 7 and 30."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with its audit events (every version) and the workgroup with its queries. Keep false where the trail matters."
  type        = bool
  default     = false
}

variable "expiration_days" {
  description = "Days after which an audit event object expires (becomes a noncurrent version, deleted noncurrent_version_expiration_days later)."
  type        = number
  default     = 730

  validation {
    condition     = var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days
    error_message = "expiration_days must be a whole number of days >= 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted version of an audit object is kept (versioning protects the trail from overwrites)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days >= 1."
  }
}

variable "transitions" {
  description = "Storage class transitions of the audit events: days after creation by class (STANDARD_IA >= 30 days, GLACIER_IR, GLACIER, DEEP_ARCHIVE), each before expiration_days. Empty by default: the per-run JSON-lines objects are mostly under S3's 128 KB transition minimum and would not move (and transitions are billed per object)."
  type        = map(number)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for c in keys(var.transitions) : contains(["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], c)])
    error_message = "transitions keys must be storage classes: STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition     = alltrue([for c, d in var.transitions : floor(d) == d && d >= 0 && (!contains(["STANDARD_IA", "ONEZONE_IA"], c) || d >= 30)])
    error_message = "transitions days must be whole numbers >= 0 (STANDARD_IA and ONEZONE_IA at least 30, S3's minimum)."
  }

  validation {
    condition     = alltrue([for d in values(var.transitions) : d < var.expiration_days])
    error_message = "transitions days must come before expiration_days (an object expires before it would move)."
  }
}

variable "athena_results_expiration_days" {
  description = "Days the Athena query results (s3://<bucket>/athena-results/) are kept."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_expiration_days >= 1 && floor(var.athena_results_expiration_days) == var.athena_results_expiration_days
    error_message = "athena_results_expiration_days must be a whole number of days >= 1."
  }
}

variable "partition_years" {
  description = "Years the partition projection knows (year=from..to): no crawler and no ADD PARTITION needed."
  type = object({
    from = number
    to   = number
  })
  default  = { from = 2024, to = 2099 }
  nullable = false

  validation {
    condition     = var.partition_years.from >= 2000 && var.partition_years.to <= 2999 && var.partition_years.from <= var.partition_years.to
    error_message = "partition_years must have 2000 <= from <= to <= 2999."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query of the workgroup that scans more than this many bytes (at least 10 MB)."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760 && floor(var.bytes_scanned_cutoff_per_query) == var.bytes_scanned_cutoff_per_query
    error_message = "bytes_scanned_cutoff_per_query must be a whole number of bytes >= 10485760 (Athena's minimum, 10 MB)."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
