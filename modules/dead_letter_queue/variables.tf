variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Base name: the dead-letter queue is <name>-dlq (its alarms <name>-dlq-depth-<severity>, <name>-dlq-age-<severity>), the source queue <name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "name must be 1-76 letters, digits, '-' or '_' (SQS allows 80 and the module appends -dlq); got \"${var.name}\"."
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

variable "kms_master_key_id" {
  description = "KMS key (id, ARN or alias) that encrypts the queues. null = SQS-managed encryption (SSE-SQS). With a key, every sender (EventBridge, SNS, the source queue's producers) needs kms:GenerateDataKey and kms:Decrypt on it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_master_key_id == null || can(regex("^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+|alias/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$", coalesce(var.kms_master_key_id, "-")))
    error_message = "kms_master_key_id must be a KMS key id, key ARN, alias/<name> or alias ARN, or null for SQS-managed encryption; got \"${coalesce(var.kms_master_key_id, "null")}\"."
  }

  validation {
    condition     = !can(regex("alias/aws/", coalesce(var.kms_master_key_id, "-")))
    error_message = "kms_master_key_id must not be the AWS-managed alias/aws/sqs key: EventBridge and SNS cannot send to a queue encrypted with it. Use null (SSE-SQS) or a customer-managed key."
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

variable "depth_thresholds" {
  description = "Visible messages in the dead-letter queue that raise an alarm, by severity (critical, warning, info). {} = no depth alarm."
  type        = map(number)
  default     = { warning = 1, critical = 100 }
  nullable    = false

  validation {
    condition     = alltrue([for s, t in var.depth_thresholds : contains(["critical", "warning", "info"], s)])
    error_message = "depth_thresholds keys must be severities: critical, warning, info; got ${join(", ", keys(var.depth_thresholds))}."
  }

  validation {
    condition     = alltrue([for s, t in var.depth_thresholds : t >= 1 && floor(t) == t])
    error_message = "depth_thresholds values must be whole numbers of messages, at least 1."
  }
}

variable "age_thresholds_seconds" {
  description = "Age in seconds of the oldest dead-letter message that raises an alarm, by severity (critical, warning, info). {} = no age alarm."
  type        = map(number)
  default     = { warning = 3600, critical = 259200 }
  nullable    = false

  validation {
    condition     = alltrue([for s, t in var.age_thresholds_seconds : contains(["critical", "warning", "info"], s)])
    error_message = "age_thresholds_seconds keys must be severities: critical, warning, info; got ${join(", ", keys(var.age_thresholds_seconds))}."
  }

  validation {
    condition     = alltrue([for s, t in var.age_thresholds_seconds : t >= 1 && t < var.message_retention_seconds])
    error_message = "age_thresholds_seconds values must be at least 1 and below message_retention_seconds (${var.message_retention_seconds}): an older message is already deleted, so the alarm could never fire."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (e.g. the notifications module's topic_arns). Every severity used in depth_thresholds or age_thresholds_seconds needs one."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s in distinct(concat(keys(var.depth_thresholds), keys(var.age_thresholds_seconds))) : contains(keys(var.alarm_topic_arns), s)])
    error_message = "alarm_topic_arns must have a topic for every severity used by depth_thresholds and age_thresholds_seconds (no alert silently dropped); missing: ${join(", ", [for s in distinct(concat(keys(var.depth_thresholds), keys(var.age_thresholds_seconds))) : s if !contains(keys(var.alarm_topic_arns), s)])}."
  }

  validation {
    condition     = alltrue([for s, a in var.alarm_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", a))])
    error_message = "alarm_topic_arns values must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "alarm_period_seconds" {
  description = "Period of the alarms: 10, 20, 30 or a multiple of 60. Keep 60 on AWS (SQS publishes one-minute metrics); the emulator tests use 10."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = contains([10, 20, 30], var.alarm_period_seconds) || (var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60; got ${var.alarm_period_seconds}."
  }
}

variable "evaluation_periods" {
  description = "Periods each alarm looks at (periods x evaluation_periods at most one day)."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.evaluation_periods >= 1 && floor(var.evaluation_periods) == var.evaluation_periods && var.evaluation_periods * var.alarm_period_seconds <= 86400
    error_message = "evaluation_periods must be a whole number of at least 1, with evaluation_periods x alarm_period_seconds at most 86400 (one day); got ${var.evaluation_periods}."
  }
}

variable "datapoints_to_alarm" {
  description = "Breaching periods among evaluation_periods that raise the alarm (1 to evaluation_periods)."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.datapoints_to_alarm >= 1 && var.datapoints_to_alarm <= var.evaluation_periods && floor(var.datapoints_to_alarm) == var.datapoints_to_alarm
    error_message = "datapoints_to_alarm must be a whole number from 1 to evaluation_periods (${var.evaluation_periods}); got ${var.datapoints_to_alarm}."
  }
}

variable "runbook_url" {
  description = "Runbook the alarm descriptions end with."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/dead-letter-queue.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://\\S+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL of at most 512 characters; got \"${var.runbook_url}\"."
  }
}

variable "tags" {
  description = "Tags for the queues and the alarms (the alarms also get Severity)."
  type        = map(string)
  default     = {}
  nullable    = false
}
