variable "create" {
  description = "Create anything at all. false plans nothing."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_xray_sampling_rules" {
  description = "Create the X-Ray sampling rules. Neither AWS emulator serves them (LocalStack community: 501; moto: 404 on GetSamplingRules), so the emulator tests switch this off (EMULATOR_GAPS); the plan tests cover them."
  type        = bool
  default     = true
}

variable "create_xray_groups" {
  description = "Create the X-Ray groups (per-pipeline filter expressions, insights). Neither AWS emulator serves them (EMULATOR_GAPS)."
  type        = bool
  default     = true
}

variable "create_xray_encryption_config" {
  description = "Set the region's X-Ray encryption to kms_key_arn. One setting per account and region: enable it in one root only. Neither AWS emulator serves it (EMULATOR_GAPS)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. glue-etl-prod. X-Ray names are at most 32 characters, prefix included."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "kms_key_arn" {
  description = "The project's customer-managed KMS key (symmetric) that encrypts the traces; required when create_xray_encryption_config."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = !var.create_xray_encryption_config || var.kms_key_arn != null
    error_message = "kms_key_arn is required when create_xray_encryption_config is true (X-Ray encrypts the traces with it)."
  }
}

variable "sampling_rules" {
  description = <<-EOT
    X-Ray sampling rules by name (the rule is named <name_prefix>-<key>, at most 32 characters).
    service_name defaults to "<name_prefix>-*" (the project's Lambdas and jobs). The defaults: the
    Lambdas at 5 % plus 1 request a second; the jobs' runs all traced (a run is one trace, and runs are few).
  EOT
  type = map(object({
    priority       = number
    fixed_rate     = number
    reservoir_size = number
    service_name   = optional(string)
    service_type   = optional(string, "*")
    host           = optional(string, "*")
    http_method    = optional(string, "*")
    url_path       = optional(string, "*")
    resource_arn   = optional(string, "*")
    attributes     = optional(map(string), {})
  }))
  default = {
    lambdas = { priority = 100, fixed_rate = 0.05, reservoir_size = 1, service_type = "AWS::Lambda::Function" }
    jobs    = { priority = 200, fixed_rate = 1, reservoir_size = 1 }
  }
  nullable = false

  validation {
    condition     = alltrue([for k, r in var.sampling_rules : can(regex("^[a-zA-Z0-9_-]+$", k)) && length("${var.name_prefix}-${k}") <= 32])
    error_message = "sampling_rules keys must be letters, digits, '_' or '-', and <name_prefix>-<key> at most 32 characters (X-Ray's limit for rule names)."
  }

  validation {
    condition     = alltrue([for r in values(var.sampling_rules) : r.priority >= 1 && r.priority <= 9999 && floor(r.priority) == r.priority])
    error_message = "sampling_rules[*].priority must be a whole number between 1 and 9999 (lower is evaluated first)."
  }

  validation {
    condition     = alltrue([for r in values(var.sampling_rules) : r.fixed_rate >= 0 && r.fixed_rate <= 1])
    error_message = "sampling_rules[*].fixed_rate must be between 0 and 1 (a fraction of the requests, 0.05 = 5 %)."
  }

  validation {
    condition     = alltrue([for r in values(var.sampling_rules) : r.reservoir_size >= 0 && floor(r.reservoir_size) == r.reservoir_size])
    error_message = "sampling_rules[*].reservoir_size must be a whole number >= 0 (traces per second before fixed_rate applies)."
  }

  validation {
    condition     = alltrue([for r in values(var.sampling_rules) : r.http_method == "*" || contains(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"], r.http_method)])
    error_message = "sampling_rules[*].http_method must be * or one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS."
  }
}

variable "pipelines" {
  description = <<-EOT
    One X-Ray group per pipeline (named <name_prefix>-<key>, at most 32 characters), so the trace map and
    the insights can be read per pipeline. The group's filter expression is filter_expression, or else one
    built from job_names: annotation.job_name = "<job>" OR ... (the job framework annotates every run's root
    segment with job_name, job_run_id, environment and correlation_id). Insights notifications (which need
    insights) go through EventBridge to the topic of insights_severity.
  EOT
  type = map(object({
    job_names             = optional(list(string), [])
    filter_expression     = optional(string)
    insights_enabled      = optional(bool, true)
    notifications_enabled = optional(bool, true)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for p in values(var.pipelines) : p.filter_expression != null || length(p.job_names) > 0])
    error_message = "pipelines[*] needs job_names (the pipeline's Glue jobs) or a filter_expression."
  }

  validation {
    condition     = alltrue(flatten([for p in values(var.pipelines) : [for j in p.job_names : can(regex("^[A-Za-z0-9_.-]{1,255}$", j))]]))
    error_message = "pipelines[*].job_names must be Glue job names (letters, digits, '_', '.', '-')."
  }

  validation {
    condition     = alltrue([for k, p in var.pipelines : can(regex("^[a-zA-Z0-9_-]+$", k)) && length("${var.name_prefix}-${k}") <= 32])
    error_message = "pipelines keys must be letters, digits, '_' or '-', and <name_prefix>-<key> at most 32 characters (X-Ray's limit for group names)."
  }

  validation {
    condition     = alltrue([for p in values(var.pipelines) : p.filter_expression == null || trimspace(coalesce(p.filter_expression, " ")) != ""])
    error_message = "pipelines[*].filter_expression must not be empty (leave it null to filter on job_names)."
  }

  validation {
    # remove the quoted strings ("..." or '...'): a quote left over is one that is never closed
    condition = alltrue([for p in values(var.pipelines) : p.filter_expression == null || length(regexall("[\"']",
      replace(coalesce(p.filter_expression, "x"), "/\"[^\"]*\"|'[^']*'/", "")
    )) == 0])
    error_message = "pipelines[*].filter_expression has an unbalanced quote: every \" or ' string must be closed."
  }

  validation {
    # outside the quoted strings, remove innermost (...) pairs ten times: a parenthesis left over is unbalanced
    condition = alltrue([for p in values(var.pipelines) : p.filter_expression == null || length(regexall("[()]",
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(coalesce(p.filter_expression, "x"), "/\"[^\"]*\"|'[^']*'/", ""),
        "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""),
      "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", ""), "/\\([^()]*\\)/", "")
    )) == 0])
    error_message = "pipelines[*].filter_expression has unbalanced parentheses (or nests them deeper than 10 levels)."
  }

  validation {
    condition     = alltrue([for p in values(var.pipelines) : p.insights_enabled || !p.notifications_enabled])
    error_message = "pipelines[*].notifications_enabled needs insights_enabled: X-Ray only notifies on the insights of a group."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the notifications module's topic_arns. The insight events of the pipelines with notifications_enabled go to the topic of insights_severity; its policy and key must let events.amazonaws.com publish (the notifications module's do)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s, a in var.alarm_topic_arns : contains(["critical", "warning", "info"], s) && can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", a))])
    error_message = "alarm_topic_arns keys must be critical, warning or info and its values SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "insights_severity" {
  description = "Severity of the X-Ray insight notifications: the topic of alarm_topic_arns they go to. Without that topic, no insight is forwarded."
  type        = string
  default     = "warning"
  nullable    = false

  validation {
    condition     = contains(["critical", "warning", "info"], var.insights_severity)
    error_message = "insights_severity must be one of critical, warning, info; got ${jsonencode(var.insights_severity)}."
  }
}

variable "insights_states" {
  description = "Insight states forwarded to the topic: ACTIVE (an anomaly started) and/or CLOSED (it ended)."
  type        = list(string)
  default     = ["ACTIVE", "CLOSED"]
  nullable    = false

  validation {
    condition     = length(var.insights_states) > 0 && alltrue([for s in var.insights_states : contains(["ACTIVE", "CLOSED"], s)])
    error_message = "insights_states must be a non-empty list of ACTIVE, CLOSED."
  }
}

variable "job_trace_sampling_actions" {
  description = "Add xray:GetSamplingRules/GetSamplingTargets/GetSamplingStatisticSummaries to the job policy, for jobs that ask X-Ray for their sampling decision. The job framework traces every run and does not (false)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
