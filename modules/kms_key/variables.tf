variable "create" {
  description = "Create the key. false creates nothing (the outputs are null)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: the key's alias is alias/<name_prefix>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got ${jsonencode(var.name_prefix)}."
  }
}

variable "name" {
  description = "What the key is for, after the prefix in its alias: alias/<name_prefix>-<name>. null = alias/<name_prefix> (an environment's one key)."
  type        = string
  default     = null

  validation {
    condition     = var.name == null || can(regex("^[a-z0-9][a-z0-9_-]{0,63}$", var.name))
    error_message = "name must be null or 1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit; got ${jsonencode(var.name)}."
  }
}

variable "description" {
  description = "Description of the key. null = \"<name_prefix>: everything the environment's monitoring encrypts\"."
  type        = string
  default     = null
}

variable "publisher_services" {
  description = "AWS services that publish to the environment's encrypted topics and queues, with aws:SourceAccount = this account: CloudWatch (alarms), EventBridge (rules), Budgets, Cost Anomaly Detection (costalerts), SNS (deliveries to encrypted queues)."
  type        = list(string)
  default     = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com", "sns.amazonaws.com"]
  nullable    = false

  validation {
    condition     = alltrue([for s in var.publisher_services : can(regex("^[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com$", s))])
    error_message = "publisher_services must be AWS service principals of the form <service>.amazonaws.com (e.g. cloudwatch.amazonaws.com); got ${jsonencode(var.publisher_services)}."
  }
}

variable "log_group_names" {
  description = "CloudWatch Logs groups the key encrypts: names, or name prefixes ending in * (e.g. /aws-glue/jobs/glue-etl-dev/*). CloudWatch Logs may use the key only with one of these groups in its encryption context."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,511}[*]?$", n))])
    error_message = "log_group_names must be log group names (1-512 of A-Z a-z 0-9 _ - / . #), optionally ending in * for a prefix; got ${jsonencode(var.log_group_names)}."
  }
}

variable "via_services" {
  description = "Services through which the account's IAM principals may use the key, when their own IAM policies allow it (kms:ViaService): s3 (the audit bucket), sqs (the queues), sns (the topics), lambda (function settings), xray (trace encryption). Each role still needs an IAM statement naming the key."
  type        = list(string)
  default     = ["s3", "sqs", "sns", "lambda", "xray"]
  nullable    = false

  validation {
    condition     = alltrue([for s in var.via_services : contains(["s3", "sqs", "sns", "lambda", "xray"], s)])
    error_message = "via_services may hold s3, sqs, sns, lambda and xray; got ${jsonencode(var.via_services)}."
  }
}

variable "user_role_arns" {
  description = "IAM roles that use the key directly (kms:Decrypt, kms:GenerateDataKey), beyond what via_services allows."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.user_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "user_role_arns must be IAM role ARNs (arn:<partition>:iam::<account>:role/<name>); got ${jsonencode(var.user_role_arns)}."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Days KMS waits before deleting the key after a destroy (7-30)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30; got ${var.kms_key_deletion_window_in_days}."
  }
}

variable "tags" {
  description = "Tags of the key."
  type        = map(string)
  default     = {}
  nullable    = false
}
