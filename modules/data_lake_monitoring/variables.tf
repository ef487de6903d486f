variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: request-metrics filters <name_prefix>-<bucket key>, alarms <name_prefix>-<what>-<severity>, the dashboard <name_prefix>-data-lake, the metric filters <name_prefix>-secret-reads[-denied]."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...): names the security metrics' namespace Glue/ETL/<environment>/Security when metric_namespace is null. Needed only with cloudtrail_log_group_name."
  type        = string
  default     = null

  validation {
    condition     = var.environment == null || can(regex("^[a-z][a-z0-9-]{1,15}$", coalesce(var.environment, "x")))
    error_message = "environment must be 2-16 lowercase letters, digits or dashes, starting with a letter (e.g. dev, staging, prod), or null; got ${jsonencode(var.environment)}."
  }
}

variable "buckets" {
  description = <<-EOT
    The data-lake buckets to watch, by a short key (1-32 lowercase letters, digits, '_' or '-'):
      bucket        the bucket's name (it must exist; the module does not own it)
      prefix        request metrics for the objects under this prefix only (e.g. raw/); null = the whole bucket
      storage_metrics  watch the bucket's daily size (BucketSizeBytes: the dashboard and the storage_growth alarm)
                    under this key; default true for an entry without prefix (the size is per bucket, not per prefix)
      storage_type  the BucketSizeBytes StorageType of the growth alarm and the size graph (default StandardStorage)
    Each entry gets a request-metrics configuration <name_prefix>-<key> (the FilterId dimension) and its error
    alarms; at most one entry per bucket may watch its size.
  EOT
  type = map(object({
    bucket          = string
    prefix          = optional(string)
    storage_metrics = optional(bool)
    storage_type    = optional(string, "StandardStorage")
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k in keys(var.buckets) : can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", k))])
    error_message = "buckets keys must be 1-32 lowercase letters, digits, '_' or '-', starting with a letter or digit (they name the metrics filter and the alarms); wrong: ${join(", ", [for k in keys(var.buckets) : k if !can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", k))])}."
  }

  validation {
    condition     = alltrue([for k, b in var.buckets : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b.bucket)) && !strcontains(b.bucket, "..")])
    error_message = "buckets.<key>.bucket must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit; wrong: ${join(", ", [for k, b in var.buckets : "${k} = ${jsonencode(b.bucket)}" if !(can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b.bucket)) && !strcontains(b.bucket, ".."))])}."
  }

  validation {
    condition     = alltrue([for k, b in var.buckets : b.prefix == null || (length(coalesce(b.prefix, "x")) <= 1024 && !startswith(coalesce(b.prefix, "x"), "/"))])
    error_message = "buckets.<key>.prefix must be null (the whole bucket) or an object key prefix of 1-1024 characters that does not start with '/' (e.g. raw/)."
  }

  validation {
    condition     = length(distinct([for k, b in var.buckets : "${b.bucket}/${b.prefix == null ? "" : b.prefix}"])) == length(var.buckets)
    error_message = "buckets must not name the same bucket and prefix twice: each entry is one request-metrics configuration, and a second one with the same filter would only double the metrics' cost."
  }

  validation {
    condition     = length([for k, b in var.buckets : b.bucket if coalesce(b.storage_metrics, b.prefix == null)]) == length(distinct([for k, b in var.buckets : b.bucket if coalesce(b.storage_metrics, b.prefix == null)]))
    error_message = "buckets: at most one entry per bucket may watch its size (storage_metrics, true by default without a prefix); BucketSizeBytes is per bucket, so a second entry would only repeat its alarm."
  }

  validation {
    condition = alltrue([for k, b in var.buckets : contains([
      "StandardStorage", "IntelligentTieringFAStorage", "IntelligentTieringIAStorage", "IntelligentTieringAAStorage",
      "IntelligentTieringAIAStorage", "IntelligentTieringDAAStorage", "StandardIAStorage", "OneZoneIAStorage",
      "ReducedRedundancyStorage", "GlacierInstantRetrievalStorage", "GlacierStorage", "DeepArchiveStorage",
    ], b.storage_type)])
    error_message = "buckets.<key>.storage_type must be a BucketSizeBytes StorageType: StandardStorage, IntelligentTieringFAStorage, IntelligentTieringIAStorage, IntelligentTieringAAStorage, IntelligentTieringAIAStorage, IntelligentTieringDAAStorage, StandardIAStorage, OneZoneIAStorage, ReducedRedundancyStorage, GlacierInstantRetrievalStorage, GlacierStorage, DeepArchiveStorage."
  }

  validation {
    condition     = length(var.buckets) <= 50
    error_message = "buckets may hold at most 50 entries (one dashboard row and up to 3 alarms each); got ${length(var.buckets)}. Split the data lake over several module calls."
  }
}

variable "error_rate_min_requests" {
  description = "Requests a period must have before the client_error_rate alarm computes a rate: below it the rate counts as 0, so a bucket read three times an hour does not alarm on one 404."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.error_rate_min_requests >= 1 && floor(var.error_rate_min_requests) == var.error_rate_min_requests
    error_message = "error_rate_min_requests must be a whole number of at least 1; got ${var.error_rate_min_requests}."
  }
}

variable "cloudtrail_log_group_name" {
  description = "The CloudWatch Logs group an existing CloudTrail trail delivers its management events to (with Read events: GetSecretValue is a read). null = no Secrets Manager part (no metric filters, no secret alarms). The module never creates a trail: see the README."
  type        = string
  default     = null

  validation {
    condition     = var.cloudtrail_log_group_name == null || can(regex("^[A-Za-z0-9_./#-]{1,512}$", coalesce(var.cloudtrail_log_group_name, "x")))
    error_message = "cloudtrail_log_group_name must be a log group name (1-512 of A-Z a-z 0-9 _ - / . #), or null; got ${jsonencode(var.cloudtrail_log_group_name)}."
  }
  # on the input that turns the Secrets Manager part on
  validation {
    condition     = var.cloudtrail_log_group_name == null || var.metric_namespace != null || var.environment != null
    error_message = "metric_namespace or environment is required when cloudtrail_log_group_name is set: the security metrics go to metric_namespace, else Glue/ETL/<environment>/Security."
  }
}

variable "secret_reader_role_names" {
  description = "The IAM role names of the Glue jobs (not ARNs): their GetSecretValue calls are counted (SecretReads) and their denied ones (SecretReadsDenied). Required with cloudtrail_log_group_name; the filter pattern (1024 characters at most) holds about ten names."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.secret_reader_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", r))])
    error_message = "secret_reader_role_names must be IAM role names (1-64 of A-Z a-z 0-9 + = , . @ _ -; the name, not the ARN); wrong: ${join(", ", [for r in var.secret_reader_role_names : jsonencode(r) if !can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", r))])}."
  }

  validation {
    condition     = var.cloudtrail_log_group_name == null || length(var.secret_reader_role_names) > 0
    error_message = "secret_reader_role_names must name at least one Glue job role when cloudtrail_log_group_name is set (the metric filters count those roles' secret reads)."
  }

  # the longer of the two patterns (main.tf local.denied_pattern): its fixed part is 129 characters
  validation {
    condition     = 129 + length(join(" || ", [for r in var.secret_reader_role_names : "$.userIdentity.sessionContext.sessionIssuer.userName = \"${r}\""])) <= 1024
    error_message = "secret_reader_role_names: the metric filter pattern would be ${129 + length(join(" || ", [for r in var.secret_reader_role_names : "$.userIdentity.sessionContext.sessionIssuer.userName = \"${r}\""]))} characters, over CloudWatch Logs' 1024; name fewer roles (about ten fit)."
  }
}

variable "metric_namespace" {
  description = "Namespace of the SecretReads and SecretReadsDenied metrics the filters publish. null = Glue/ETL/<environment>/Security (docs/metrics.md)."
  type        = string
  default     = null

  validation {
    condition     = var.metric_namespace == null || (can(regex("^[A-Za-z0-9_./#: -]{1,255}$", coalesce(var.metric_namespace, "x"))) && !startswith(coalesce(var.metric_namespace, "x"), "AWS/"))
    error_message = "metric_namespace must be 1-255 of A-Z a-z 0-9 . - _ / # : and space, and must not start with AWS/ (reserved), or null; got ${jsonencode(var.metric_namespace)}."
  }
}

variable "create_dashboard" {
  description = "Create the dashboard <name_prefix>-data-lake (request rates, 4xx/5xx, daily size and growth per bucket; secret reads)."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarms" {
  description = <<-EOT
    The data lake's alarms, by signal, in the project's one override shape (CONTRIBUTING.md):
      server_errors         AWS/S3 5xxErrors (Sum) per bucket entry, >= threshold requests a period    default { warning = 10, critical = 100 }, 300 s
      client_error_rate     100 * 4xxErrors / AllRequests per bucket entry, >= threshold percent        default { warning = 10 }, 300 s, 3 of 3
      storage_growth        daily growth of BucketSizeBytes per bucket, >= threshold percent a day      default { warning = 20 }, 86400 s, 1 of 2, ignore
      secret_reads          SecretReads above ANOMALY_DETECTION_BAND(m1, threshold): threshold = band width in standard deviations    default { warning = 3 }, 3600 s
      secret_access_denied  SecretReadsDenied (Sum) >= threshold a period                              default { warning = 1 }, 300 s
    thresholds is severity -> threshold, one alarm each ({} or enabled = false: none). storage_growth's period is
    86400 (S3 publishes the size once a day) and secret_reads' a multiple of 60 (the band is learnt on it): neither
    takes alarm_period_seconds. treat_missing_data defaults to notBreaching (storage_growth: ignore).
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
    condition     = alltrue([for k in keys(var.alarms) : contains(["server_errors", "client_error_rate", "storage_growth", "secret_reads", "secret_access_denied"], k)])
    error_message = "alarms keys must be the data lake's signals: server_errors, client_error_rate, storage_growth, secret_reads, secret_access_denied; got ${jsonencode(keys(var.alarms))}."
  }

  validation {
    condition     = alltrue(flatten([for k, a in var.alarms : [for s in keys(coalesce(a.thresholds, {})) : contains(["critical", "warning", "info"], s)]]))
    error_message = "alarms.<signal>.thresholds keys must be severities: critical, warning, info."
  }

  validation {
    condition = alltrue(flatten([for k in ["server_errors", "secret_access_denied"] : [
      for t in values(coalesce(try(var.alarms[k].thresholds, null), {})) : t >= 1 && floor(t) == t
    ]]))
    error_message = "alarms.server_errors and alarms.secret_access_denied thresholds must be whole numbers of requests, at least 1."
  }

  validation {
    condition     = alltrue([for t in values(coalesce(try(var.alarms.client_error_rate.thresholds, null), {})) : t > 0 && t <= 100])
    error_message = "alarms.client_error_rate.thresholds must be percentages above 0 and at most 100."
  }

  validation {
    condition     = alltrue([for t in values(coalesce(try(var.alarms.storage_growth.thresholds, null), {})) : t > 0])
    error_message = "alarms.storage_growth.thresholds must be percentages of growth a day above 0 (e.g. 20 = the bucket grew by a fifth since the day before)."
  }

  validation {
    condition     = alltrue([for t in values(coalesce(try(var.alarms.secret_reads.thresholds, null), {})) : t > 0 && t <= 100])
    error_message = "alarms.secret_reads.thresholds are the anomaly band's width in standard deviations: above 0 and at most 100 (2-3 is usual)."
  }

  validation {
    condition     = try(var.alarms.storage_growth.period_seconds, null) == null || try(var.alarms.storage_growth.period_seconds, null) == 86400
    error_message = "alarms.storage_growth.period_seconds must be 86400 (or null): S3 publishes BucketSizeBytes once a day."
  }

  validation {
    condition     = try(var.alarms.secret_reads.period_seconds, null) == null || (coalesce(try(var.alarms.secret_reads.period_seconds, null), 60) >= 60 && coalesce(try(var.alarms.secret_reads.period_seconds, null), 60) % 60 == 0)
    error_message = "alarms.secret_reads.period_seconds must be a multiple of 60 (metric filters publish one-minute metrics, and the anomaly band is learnt on them)."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.period_seconds == null || contains([10, 20, 30], coalesce(a.period_seconds, 60)) || (coalesce(a.period_seconds, 60) >= 60 && coalesce(a.period_seconds, 60) % 60 == 0)])
    error_message = "alarms.<signal>.period_seconds must be 10, 20, 30 or a multiple of 60."
  }

  validation {
    condition = alltrue([for k, a in var.alarms : (
      coalesce(a.evaluation_periods, 1) >= 1 && floor(coalesce(a.evaluation_periods, 1)) == coalesce(a.evaluation_periods, 1) &&
      coalesce(a.datapoints_to_alarm, 1) >= 1 && coalesce(a.datapoints_to_alarm, 1) <= coalesce(a.evaluation_periods, lookup({ client_error_rate = 3, storage_growth = 2 }, k, 1)) &&
      coalesce(a.evaluation_periods, lookup({ client_error_rate = 3, storage_growth = 2 }, k, 1)) * (k == "storage_growth" ? 86400 : k == "secret_reads" ? coalesce(a.period_seconds, 3600) : coalesce(a.period_seconds, var.alarm_period_seconds, 300))
      <= ((k == "storage_growth" ? 86400 : k == "secret_reads" ? coalesce(a.period_seconds, 3600) : coalesce(a.period_seconds, var.alarm_period_seconds, 300)) >= 3600 ? 604800 : 86400)
    )])
    error_message = "alarms.<signal>: evaluation_periods must be a whole number of at least 1, datapoints_to_alarm from 1 to evaluation_periods, and evaluation_periods x period at most 86400 (one day; 604800, seven days, for periods of an hour or more)."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.treat_missing_data == null || contains(["missing", "ignore", "breaching", "notBreaching"], coalesce(a.treat_missing_data, "missing"))])
    error_message = "alarms.<signal>.treat_missing_data must be one of missing, ignore, breaching, notBreaching."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.runbook_url == null || can(regex("^https://\\S+$", a.runbook_url))])
    error_message = "alarms.<signal>.runbook_url must be an https:// URL."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the notifications module's topic_arns. Every severity the alarms use needs one."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s in keys(var.alarm_topic_arns) : contains(["critical", "warning", "info"], s)])
    error_message = "alarm_topic_arns keys must be severities: critical, warning, info; got ${jsonencode(keys(var.alarm_topic_arns))}."
  }

  validation {
    condition     = length(setsubtract(local.severities_used, keys(var.alarm_topic_arns))) == 0
    error_message = "alarm_topic_arns must have a topic for every severity the alarms use (no alert silently dropped); missing: ${join(", ", setsubtract(local.severities_used, keys(var.alarm_topic_arns)))}."
  }

  validation {
    condition     = alltrue([for s, a in var.alarm_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", a))])
    error_message = "alarm_topic_arns values must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "alarm_period_seconds" {
  description = "Period of server_errors, client_error_rate and secret_access_denied when they have none of their own: 10, 20, 30 or a multiple of 60. null = 300. The emulator tests use 10. storage_growth (86400) and secret_reads (3600) keep theirs."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) <= 86400 && coalesce(var.alarm_period_seconds, 60) % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400, or null; got ${jsonencode(var.alarm_period_seconds)}."
  }
}

variable "runbook_url" {
  description = "The runbook page every alarm description ends with, as <runbook_url>#<signal> (server_errors, client_error_rate, storage_growth, secret_reads, secret_access_denied)."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/modules/data_lake_monitoring/README.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL without a #fragment (the module appends #<signal>), at most 512 characters; got ${jsonencode(var.runbook_url)}."
  }
}

variable "tags" {
  description = "Tags for the alarms (each also gets Severity). S3 metrics configurations, metric filters and dashboards take no tags."
  type        = map(string)
  default     = {}
  nullable    = false
}
