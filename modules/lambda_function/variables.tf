variable "create" {
  description = "Create the resources of this module (false: create nothing)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name (the function is <name_prefix>-<name>; with name at most 52 characters, so the queue and rule names stay within AWS's 64)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "name" {
  description = "Name of the function after the prefix, e.g. remediation."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,21}$", var.name))
    error_message = "name must be 1 to 21 letters, digits, hyphens or underscores; got \"${var.name}\"."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters; got ${length(var.description)}."
  }
}

variable "filename" {
  description = "Path of the deployment zip (python -m tools.build_lambdas writes build/lambda/<name>.zip)."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.filename, ".zip")
    error_message = "filename must be the path of a .zip file; got \"${var.filename}\"."
  }
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the zip: filebase64sha256(filename), or source_code_hash in build/lambda/manifest.json. A new value deploys new code."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters ending in =, what filebase64sha256() returns); got \"${var.source_code_hash}\"."
  }
}

variable "handler" {
  description = "Handler of the function, e.g. lambda_src.remediation.handler.lambda_handler."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must be <module path>.<function>, e.g. lambda_src.remediation.handler.lambda_handler; got \"${var.handler}\"."
  }
}

variable "runtime" {
  description = "Python runtime; match the Python that built the zip (build/lambda/manifest.json)."
  type        = string
  default     = "python3.11"
  nullable    = false

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be one of python3.11, python3.12, python3.13; got \"${var.runtime}\"."
  }
}

variable "architecture" {
  description = "Instruction set of the function."
  type        = string
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be one of x86_64, arm64; got \"${var.architecture}\"."
  }
}

variable "memory_size" {
  description = "Memory in MB (128 to 10240)."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number from 128 to 10240 (MB); got ${var.memory_size}."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1 to 900). The remediation's retry backoff must fit in it."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900; got ${var.timeout}."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrent executions reserved for (and the most allowed to) the function: bounds what an alarm storm can do."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.reserved_concurrent_executions >= 1 && var.reserved_concurrent_executions <= 100 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be a whole number from 1 to 100; got ${var.reserved_concurrent_executions}."
  }
}

variable "environment_variables" {
  description = "Environment variables of the function (settings only, no secrets: they are readable with lambda:GetFunctionConfiguration)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !startswith(k, "AWS_")])
    error_message = "environment_variables names must be letters, digits and underscores starting with a letter, and must not start with AWS_ (reserved by Lambda); got: ${join(", ", [for k in keys(var.environment_variables) : k if !can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) || startswith(k, "AWS_")])}."
  }
}

variable "policy_statements" {
  description = "What the function may do besides logs, traces and its dead-letter queue, by statement id: { actions, resources, effect = Allow|Deny, conditions = [{ test, variable, values }] }. Every action is named (no *) and every resource is an ARN (no \"*\")."
  type = map(object({
    actions   = list(string)
    resources = list(string)
    effect    = optional(string, "Allow")
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, s in var.policy_statements : can(regex("^[A-Za-z0-9]{1,64}$", k))])
    error_message = "policy_statements keys are statement ids: 1 to 64 letters or digits; got: ${join(", ", [for k in keys(var.policy_statements) : k if !can(regex("^[A-Za-z0-9]{1,64}$", k))])}."
  }

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : length(s.actions) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))])])
    error_message = "policy_statements actions must be named service:Action pairs with no wildcard (\"*\" or \"s3:Get*\" are refused: least privilege), and every statement needs at least one action."
  }

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : length(s.resources) > 0 && alltrue([for r in s.resources : startswith(r, "arn:")])])
    error_message = "policy_statements resources must be ARNs (arn:...), never \"*\": scope every statement to the resources the function uses."
  }

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : contains(["Allow", "Deny"], s.effect)])
    error_message = "policy_statements effect must be one of Allow, Deny."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got ${var.log_retention_in_days}."
  }
}

variable "create_kms_key" {
  description = "Create the customer-managed key of the log group, the environment variables and the dead-letter queue (modules/kms_key). false = kms_key_arn."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the log group, the environment variables and the dead-letter queue when create_kms_key = false (e.g. the environment's key: its policy must let CloudWatch Logs encrypt the log group and the function's role use it through Lambda and SQS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; log groups take no alias); got ${jsonencode(var.kms_key_arn)}."
  }

  validation {
    condition     = var.create_kms_key || var.kms_key_arn != null
    error_message = "kms_key_arn is required when create_kms_key = false."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created KMS key is deleted (7 to 30 days)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30; got ${var.kms_key_deletion_window_in_days}."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active (sampled traces of every invocation) or PassThrough."
  type        = string
  default     = "Active"
  nullable    = false

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be one of Active, PassThrough; got \"${var.tracing_mode}\"."
  }
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic that receives asynchronous invocations that failed every attempt. null: the module creates an SQS queue <name_prefix>-<name>-async-dlq."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.dead_letter_target_arn))
    error_message = "dead_letter_target_arn must be null or the ARN of an SQS queue or SNS topic."
  }
}

variable "dead_letter_message_retention_seconds" {
  description = "How long the created dead-letter queue keeps a failed event (60 to 1209600 seconds)."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dead_letter_message_retention_seconds >= 60 && var.dead_letter_message_retention_seconds <= 1209600
    error_message = "dead_letter_message_retention_seconds must be from 60 to 1209600 (14 days); got ${var.dead_letter_message_retention_seconds}."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries Lambda makes of a failed asynchronous invocation before the dead-letter target (0 to 2)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be one of 0, 1, 2; got ${var.maximum_retry_attempts}."
  }
}

variable "maximum_event_age_in_seconds" {
  description = "Age after which Lambda stops retrying an asynchronous event and dead-letters it (60 to 21600)."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be from 60 to 21600; got ${var.maximum_event_age_in_seconds}."
  }
}

variable "event_rules" {
  description = "EventBridge rules that invoke the function, by key: an event_pattern (JSON) or a schedule_expression (rate(...) or cron(...)), and an optional constant input (JSON)."
  type = map(object({
    description         = optional(string, "")
    event_pattern       = optional(string)
    schedule_expression = optional(string)
    input               = optional(string)
    enabled             = optional(bool, true)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, r in var.event_rules : can(regex("^[a-z0-9-]{1,11}$", k))])
    error_message = "event_rules keys must be 1 to 11 lowercase letters, digits or hyphens (the rule is <name_prefix>-<name>-<key>); got: ${join(", ", [for k in keys(var.event_rules) : k if !can(regex("^[a-z0-9-]{1,11}$", k))])}."
  }

  validation {
    condition     = alltrue([for r in values(var.event_rules) : (r.event_pattern == null) != (r.schedule_expression == null)])
    error_message = "each of event_rules needs exactly one of event_pattern and schedule_expression."
  }

  validation {
    condition     = alltrue([for r in values(var.event_rules) : r.schedule_expression == null || can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\([^)]+\\))$", r.schedule_expression))])
    error_message = "event_rules schedule_expression must be rate(<n> minute(s)|hour(s)|day(s)) or cron(<6 fields>), e.g. cron(0 6 * * ? *)."
  }

  validation {
    condition     = alltrue([for r in values(var.event_rules) : (r.event_pattern == null || can(jsondecode(r.event_pattern))) && (r.input == null || can(jsondecode(r.input)))])
    error_message = "event_rules event_pattern and input must be JSON documents (use jsonencode())."
  }
}

variable "sns_subscriptions" {
  description = "SNS topics whose messages invoke the function, by key: { topic_arn, filter_policy = optional JSON, filter_policy_scope = optional MessageAttributes (SNS's default) or MessageBody (the policy matches the JSON message itself, e.g. a CloudWatch alarm's AlarmName) }."
  type = map(object({
    topic_arn           = string
    filter_policy       = optional(string)
    filter_policy_scope = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for s in values(var.sns_subscriptions) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", s.topic_arn))])
    error_message = "sns_subscriptions topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)."
  }

  validation {
    condition     = alltrue([for s in values(var.sns_subscriptions) : s.filter_policy == null || can(jsondecode(s.filter_policy))])
    error_message = "sns_subscriptions filter_policy must be a JSON document (use jsonencode())."
  }

  validation {
    condition     = alltrue([for s in values(var.sns_subscriptions) : s.filter_policy_scope == null || contains(["MessageAttributes", "MessageBody"], coalesce(s.filter_policy_scope, "-"))])
    error_message = "sns_subscriptions filter_policy_scope must be one of MessageAttributes, MessageBody (or null: SNS's default, MessageAttributes); got: ${join(", ", [for k, s in var.sns_subscriptions : "${k} = ${jsonencode(s.filter_policy_scope)}" if s.filter_policy_scope != null && !contains(["MessageAttributes", "MessageBody"], coalesce(s.filter_policy_scope, "-"))])}."
  }

  validation {
    condition     = alltrue([for s in values(var.sns_subscriptions) : s.filter_policy_scope == null || s.filter_policy != null])
    error_message = "sns_subscriptions filter_policy_scope needs a filter_policy: the scope says what the policy is matched against; without a policy every message is delivered."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the notifications module's topic_arns. Every severity the alarms use needs one; empty: no alarms."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s, a in var.alarm_topic_arns : contains(["critical", "warning", "info"], s) && can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", a))])
    error_message = "alarm_topic_arns keys must be critical, warning or info and its values SNS topic ARNs."
  }

  validation {
    condition     = length(var.alarm_topic_arns) == 0 || length(setsubtract(local.severities_used, keys(var.alarm_topic_arns))) == 0
    error_message = "alarm_topic_arns must have a topic for every severity the alarms use (no alert silently dropped); missing: ${join(", ", setsubtract(local.severities_used, keys(var.alarm_topic_arns)))}."
  }
}

variable "alarms" {
  description = <<-EOT
    The function's alarms, by signal, in the project's one override shape (CONTRIBUTING.md):
      errors        AWS/Lambda Errors of the function in a period (>=)                    default { warning = 1 }
      dead_letters  events waiting in its asynchronous dead-letter queue (>=)             default { warning = 1 }
    thresholds is severity -> threshold, one alarm each ({} or enabled = false: none). No alarm is created while
    alarm_topic_arns is empty.
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
    condition     = alltrue([for k in keys(var.alarms) : contains(["errors", "dead_letters"], k)])
    error_message = "alarms keys must be the function's signals: errors, dead_letters; got ${jsonencode(keys(var.alarms))}."
  }

  validation {
    condition     = alltrue(flatten([for k, a in var.alarms : [for s, t in coalesce(a.thresholds, {}) : contains(["critical", "warning", "info"], s) && t >= 1 && floor(t) == t]]))
    error_message = "alarms.<signal>.thresholds must map severities (critical, warning, info) to whole numbers of at least 1."
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

variable "alarm_period_seconds" {
  description = "Period of every alarm without a period of its own: 10, 20, 30 or a multiple of 60. null = 60; the emulator tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60, or null; got ${jsonencode(var.alarm_period_seconds)}."
  }
}

variable "runbook_url" {
  description = "The runbook page every alarm description ends with, as <runbook_url>#<signal> (errors, dead-letters)."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/remediation.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL without a #fragment (the module appends #<signal>), at most 512 characters; got ${jsonencode(var.runbook_url)}."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
