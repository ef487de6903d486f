variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: the dead-letter queue is <name_prefix>-<name>-dlq (its alarms <name_prefix>-<name>-dlq-<depth|age>-<severity>), the source queue <name_prefix>-<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "name" {
  description = "What the queue holds, after the prefix: <name_prefix>-<name> (e.g. records)."
  type        = string
  default     = "records"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,45}$", var.name))
    error_message = "name must be 1-46 lowercase letters, digits, '_' or '-', starting with a letter or digit (SQS names stop at 80 characters and the module adds the prefix and -dlq); got ${jsonencode(var.name)}."
  }
}

variable "message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message (60 s to 14 days). A moved message keeps its original enqueue time, so keep this longer than the source queue's."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number from 60 to 1209600 (14 days); got ${var.message_retention_seconds}."
  }
}

variable "create_source_queue" {
  description = "Also create the source queue <name>, which moves a message to the dead-letter queue after max_receive_count failed receives."
  type        = bool
  default     = false
  nullable    = false
}

variable "source_visibility_timeout_seconds" {
  description = "Visibility timeout of the source queue (0-43200). Give a Lambda consumer at least 6 times its timeout."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.source_visibility_timeout_seconds >= 0 && var.source_visibility_timeout_seconds <= 43200 && floor(var.source_visibility_timeout_seconds) == var.source_visibility_timeout_seconds
    error_message = "source_visibility_timeout_seconds must be a whole number from 0 to 43200 (12 hours); got ${var.source_visibility_timeout_seconds}."
  }
}

variable "source_message_retention_seconds" {
  description = "How long the source queue keeps a message (60 s to 14 days, at most message_retention_seconds)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.source_message_retention_seconds >= 60 && var.source_message_retention_seconds <= var.message_retention_seconds && floor(var.source_message_retention_seconds) == var.source_message_retention_seconds
    error_message = "source_message_retention_seconds must be a whole number from 60 to message_retention_seconds (${var.message_retention_seconds}): a message moved to the dead-letter queue keeps its enqueue time, so a shorter DLQ retention deletes it early; got ${var.source_message_retention_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives of a message by the source queue's consumers before SQS moves it to the dead-letter queue (1-1000)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000; got ${var.max_receive_count}."
  }
}

variable "create_kms_key" {
  description = "Create the customer-managed key that encrypts the queues (modules/kms_key: EventBridge and SNS may send with it). false = kms_key_arn."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the queues when create_kms_key = false (e.g. the environment's key). Every sender (EventBridge, SNS, the source queue's producers) needs kms:GenerateDataKey and kms:Decrypt on it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not the AWS-managed alias/aws/sqs, which EventBridge and SNS cannot send through), or null; got ${jsonencode(var.kms_key_arn)}."
  }

  validation {
    condition     = var.create_kms_key || var.kms_key_arn != null
    error_message = "kms_key_arn is required when create_kms_key = false: the queues are encrypted with a customer-managed key."
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

variable "allowed_source_queue_arns" {
  description = "Other queues that may use this dead-letter queue (its redrive-allow policy becomes byQueue with these and the created source queue; at most 10 in all). Empty and no source queue = any queue of the account."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.allowed_source_queue_arns : can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", a))])
    error_message = "allowed_source_queue_arns must be SQS queue ARNs (arn:aws:sqs:<region>:<account>:<name>); wrong: ${join(", ", [for a in var.allowed_source_queue_arns : a if !can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", a))])}."
  }

  validation {
    condition     = length(var.allowed_source_queue_arns) + (var.create_source_queue ? 1 : 0) <= 10
    error_message = "allowed_source_queue_arns: a redrive-allow policy names at most 10 source queues, including the created source queue; got ${length(var.allowed_source_queue_arns) + (var.create_source_queue ? 1 : 0)}."
  }
}

variable "allowed_sender_arns" {
  description = "EventBridge rules and SNS topics that dead-letter into this queue (a target's or subscription's dead-letter config): events.amazonaws.com and sns.amazonaws.com may sqs:SendMessage, with aws:SourceArn = one of these."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([for a in var.allowed_sender_arns : can(regex(
      "^arn:aws[a-z-]*:(events:[a-z0-9-]+:[0-9]{12}:rule/[A-Za-z0-9._/-]+|sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?)$", a
    ))])
    error_message = "allowed_sender_arns must be EventBridge rule ARNs (arn:aws:events:<region>:<account>:rule/<name>) or SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>); wrong: ${join(", ", [for a in var.allowed_sender_arns : a if !can(regex("^arn:aws[a-z-]*:(events:[a-z0-9-]+:[0-9]{12}:rule/[A-Za-z0-9._/-]+|sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?)$", a))])}."
  }
}

variable "alarms" {
  description = <<-EOT
    The queue's alarms, by signal, in the project's one override shape (CONTRIBUTING.md):
      depth  messages visible in the dead-letter queue (>=), whole messages      default { warning = 1, critical = 100 }
      age    age in seconds of its oldest message (>=), below the retention      default { warning = 3600, critical = 259200 }
    thresholds is severity -> threshold, one alarm each ({} or enabled = false: none); evaluation_periods and
    datapoints_to_alarm default to 1, treat_missing_data to notBreaching, runbook_url to var.runbook_url.
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
    condition     = alltrue([for k in keys(var.alarms) : contains(["depth", "age"], k)])
    error_message = "alarms keys must be the queue's signals: depth, age; got ${jsonencode(keys(var.alarms))}."
  }

  validation {
    condition     = alltrue(flatten([for k, a in var.alarms : [for s in keys(coalesce(a.thresholds, {})) : contains(["critical", "warning", "info"], s)]]))
    error_message = "alarms.<signal>.thresholds keys must be severities: critical, warning, info."
  }

  validation {
    condition     = alltrue([for t in values(coalesce(try(var.alarms.depth.thresholds, null), {})) : t >= 1 && floor(t) == t])
    error_message = "alarms.depth.thresholds values must be whole numbers of messages, at least 1."
  }

  validation {
    condition     = alltrue([for t in values(coalesce(try(var.alarms.age.thresholds, null), {})) : t >= 1 && t < var.message_retention_seconds])
    error_message = "alarms.age.thresholds values must be at least 1 and below message_retention_seconds (${var.message_retention_seconds}): an older message is already deleted, so the alarm could never fire."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.period_seconds == null || contains([10, 20, 30], coalesce(a.period_seconds, 60)) || (coalesce(a.period_seconds, 60) >= 60 && coalesce(a.period_seconds, 60) % 60 == 0)])
    error_message = "alarms.<signal>.period_seconds must be 10, 20, 30 or a multiple of 60."
  }

  validation {
    condition = alltrue([for k, a in var.alarms : (
      coalesce(a.evaluation_periods, 1) >= 1 && floor(coalesce(a.evaluation_periods, 1)) == coalesce(a.evaluation_periods, 1) &&
      coalesce(a.datapoints_to_alarm, 1) >= 1 && coalesce(a.datapoints_to_alarm, 1) <= coalesce(a.evaluation_periods, 1) &&
      coalesce(a.evaluation_periods, 1) * coalesce(a.period_seconds, var.alarm_period_seconds, 60) <= 86400
    )])
    error_message = "alarms.<signal>: evaluation_periods must be a whole number of at least 1, datapoints_to_alarm from 1 to evaluation_periods, and evaluation_periods x period at most 86400 (one day)."
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
  description = "Period of every alarm without a period of its own: 10, 20, 30 or a multiple of 60. null = 60 (SQS publishes one-minute metrics); the emulator tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60, or null; got ${jsonencode(var.alarm_period_seconds)}."
  }
}

variable "runbook_url" {
  description = "The runbook page every alarm description ends with, as <runbook_url>#<signal> (depth, age)."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/dead-letter-queue.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL without a #fragment (the module appends #<signal>), at most 512 characters; got ${jsonencode(var.runbook_url)}."
  }
}

variable "tags" {
  description = "Tags for the queues and the alarms (the alarms also get Severity)."
  type        = map(string)
  default     = {}
  nullable    = false
}
