variable "create" {
  description = "Create the module's resources. false creates nothing (the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: the topics are <name_prefix>-<severity>, the key alias alias/<name_prefix>-alerts."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "severities" {
  description = "The severities that get a topic: a non-empty subset of critical, warning, info."
  type        = list(string)
  default     = ["critical", "warning", "info"]
  nullable    = false

  validation {
    condition     = length(var.severities) > 0 && alltrue([for s in var.severities : contains(["critical", "warning", "info"], s)])
    error_message = "severities must be a non-empty list of critical, warning, info; got [${join(", ", var.severities)}]."
  }

  validation {
    condition     = length(distinct(var.severities)) == length(var.severities)
    error_message = "severities must not repeat a severity; got [${join(", ", var.severities)}]."
  }
}

variable "subscriptions" {
  description = <<-EOT
    Who hears each severity, by a name of your choice. protocol is one of email, email-json, https, sqs,
    lambda (no plain http: deliveries go over TLS only). endpoint: an email address, an https:// URL, or the
    ARN of the SQS queue or Lambda function. raw_message_delivery applies to sqs and https only;
    filter_policy is an SNS filter policy as a JSON string (on the message attributes).
  EOT
  type = map(object({
    severity             = string
    protocol             = string
    endpoint             = string
    raw_message_delivery = optional(bool, false)
    filter_policy        = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, s in var.subscriptions : contains(var.severities, s.severity)])
    error_message = "subscriptions: severity must be one of the severities (${join(", ", var.severities)}); got ${join(", ", [for k, s in var.subscriptions : "${k} = ${s.severity}" if !contains(var.severities, s.severity)])}."
  }

  validation {
    condition     = alltrue([for k, s in var.subscriptions : contains(keys(local.endpoint_patterns), s.protocol)])
    error_message = "subscriptions: protocol must be one of email, email-json, https, sqs, lambda (no plain http: TLS only); got ${join(", ", [for k, s in var.subscriptions : "${k} = ${s.protocol}" if !contains(keys(local.endpoint_patterns), s.protocol)])}."
  }

  validation {
    condition     = alltrue([for k, s in var.subscriptions : can(regex(local.endpoint_patterns[s.protocol], s.endpoint)) if contains(keys(local.endpoint_patterns), s.protocol)])
    error_message = "subscriptions: endpoint must match its protocol (email and email-json: an email address; https: an https:// URL; sqs: arn:aws:sqs:<region>:<account>:<queue>; lambda: arn:aws:lambda:<region>:<account>:function:<name>); wrong: ${join(", ", [for k, s in var.subscriptions : k if contains(keys(local.endpoint_patterns), s.protocol) && !can(regex(lookup(local.endpoint_patterns, s.protocol, "^$"), s.endpoint))])}."
  }

  validation {
    condition     = alltrue([for k, s in var.subscriptions : !s.raw_message_delivery || contains(["sqs", "https"], s.protocol)])
    error_message = "subscriptions: raw_message_delivery can only be true for the sqs and https protocols; wrong: ${join(", ", [for k, s in var.subscriptions : k if s.raw_message_delivery && !contains(["sqs", "https"], s.protocol)])}."
  }

  validation {
    condition     = alltrue([for k, s in var.subscriptions : s.filter_policy == null || can(keys(jsondecode(coalesce(s.filter_policy, "{}"))))])
    error_message = "subscriptions: filter_policy must be a JSON object as a string (an SNS filter policy), or null; wrong: ${join(", ", [for k, s in var.subscriptions : k if !(s.filter_policy == null || can(keys(jsondecode(coalesce(s.filter_policy, "{}")))))])}."
  }
}

variable "create_kms_key" {
  description = "Create the customer-managed KMS key that encrypts the topics. Set false and give kms_key_arn to bring your own."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of your own KMS key (or alias) for the topics, when create_kms_key = false. Its policy must let the publisher services and your publishers use it (see the README): the AWS-managed alias/aws/sns key does not."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>), or null."
  }

  validation {
    condition     = var.create_kms_key != (var.kms_key_arn != null)
    error_message = "Give exactly one of create_kms_key = true or kms_key_arn: the topics must be encrypted with a customer-managed key (not alias/aws/sns, which CloudWatch and Budgets cannot publish through)."
  }

  validation {
    condition     = !can(regex(":alias/aws/", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must not be an AWS-managed key (alias/aws/...): CloudWatch alarms, EventBridge and Budgets cannot publish to a topic encrypted with it."
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

variable "kms_key_user_arns" {
  description = "IAM role ARNs that publish to the topics themselves (e.g. the remediation and report Lambdas): they may use the created key (kms:GenerateDataKey, kms:Decrypt)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.kms_key_user_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", a))])
    error_message = "kms_key_user_arns must be IAM role ARNs (arn:aws:iam::<account>:role/<name>); wrong: ${join(", ", [for a in var.kms_key_user_arns : a if !can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", a))])}."
  }
}

variable "publisher_services" {
  description = "AWS service principals allowed to publish to the topics (and to use the key), scoped to this account with aws:SourceAccount."
  type        = list(string)
  default     = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"]
  nullable    = false

  validation {
    condition     = alltrue([for s in var.publisher_services : can(regex("^[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com$", s))])
    error_message = "publisher_services must be AWS service principals of the form <service>.amazonaws.com; wrong: ${join(", ", [for s in var.publisher_services : s if !can(regex("^[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com$", s))])}."
  }
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
