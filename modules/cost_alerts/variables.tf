variable "create" {
  description = "Create anything at all. false plans nothing (a disabled module must cost nothing)."
  type        = bool
  default     = true
}

variable "create_budgets" {
  description = "Create the AWS Budgets. Neither AWS emulator serves Budgets, so the emulator tests switch this off (harness/emulator.py EMULATOR_GAPS); the plan tests still cover them."
  type        = bool
  default     = true
}

variable "create_anomaly_detection" {
  description = "Create the Cost Anomaly Detection monitor and subscription (Cost Explorer: neither AWS emulator serves it; see EMULATOR_GAPS)."
  type        = bool
  default     = true
}

variable "create_billing_alarms" {
  description = "Create the CloudWatch alarms on AWS/Billing EstimatedCharges (in us-east-1, through the aws.us_east_1 provider)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. glue-etl-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,39}$", var.name_prefix))
    error_message = "name_prefix must be 2-40 letters, digits or dashes, starting with a letter."
  }
}

variable "monthly_limit_usd" {
  description = "The environment's monthly limit in USD: the Glue spend budget and the default threshold of the billing alarms (e.g. dev 100, staging 300, prod 2000)."
  type        = number

  validation {
    condition     = var.monthly_limit_usd > 0 && var.monthly_limit_usd <= 1000000000
    error_message = "monthly_limit_usd must be a positive amount of USD (greater than 0, at most 1e9)."
  }
}

variable "topic_arns" {
  description = "SNS topic ARN by severity, e.g. module.notifications.topic_arns. The topics' KMS key and policy must let budgets.amazonaws.com and costalerts.amazonaws.com (and cloudwatch.amazonaws.com for the billing alarms) publish: the notifications module's do."
  type = object({
    critical = string
    warning  = string
    info     = string
  })

  validation {
    condition     = alltrue([for v in values(var.topic_arns) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", v))])
    error_message = "topic_arns values must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<name>)."
  }

  validation {
    condition     = var.billing_topic_arns != null || !var.create_billing_alarms || length(var.billing_alarms) == 0 || alltrue([for v in values(var.topic_arns) : can(regex("^arn:aws[a-z-]*:sns:us-east-1:", v))])
    error_message = "topic_arns: the billing alarms live in us-east-1 and can only notify us-east-1 topics: give us-east-1 topics, or set billing_topic_arns."
  }
}

variable "billing_topic_arns" {
  description = "SNS topic ARN by severity for the billing alarms. A CloudWatch alarm can only notify a topic of its own region, and AWS/Billing exists only in us-east-1: give us-east-1 topics here when topic_arns are elsewhere. null = topic_arns."
  type = object({
    critical = string
    warning  = string
    info     = string
  })
  default = null

  validation {
    condition     = var.billing_topic_arns == null || alltrue([for v in values(coalesce(var.billing_topic_arns, { critical = "", warning = "", info = "" })) : can(regex("^arn:aws[a-z-]*:sns:us-east-1:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", v))])
    error_message = "billing_topic_arns must be null or SNS topic ARNs in us-east-1 (critical, warning, info)."
  }
}

variable "budget_thresholds" {
  description = "Default notifications of every budget: threshold in percent of the limit (1-1000), type ACTUAL (spent so far) or FORECASTED (AWS's end-of-month forecast), and the severity topic to notify. At most 5 per budget, each (threshold, type) once."
  type = list(object({
    threshold = number
    type      = string
    severity  = string
  }))
  default = [
    { threshold = 80, type = "ACTUAL", severity = "warning" },
    { threshold = 100, type = "ACTUAL", severity = "critical" },
    { threshold = 100, type = "FORECASTED", severity = "warning" },
  ]

  validation {
    condition     = alltrue([for t in var.budget_thresholds : t.threshold >= 1 && t.threshold <= 1000])
    error_message = "budget_thresholds[*].threshold must be a percentage of the budget between 1 and 1000."
  }

  validation {
    condition     = alltrue([for t in var.budget_thresholds : contains(["ACTUAL", "FORECASTED"], t.type)])
    error_message = "budget_thresholds[*].type must be one of ACTUAL, FORECASTED."
  }

  validation {
    condition     = alltrue([for t in var.budget_thresholds : contains(["critical", "warning", "info"], t.severity)])
    error_message = "budget_thresholds[*].severity must be one of critical, warning, info."
  }

  validation {
    condition     = length(var.budget_thresholds) >= 1 && length(var.budget_thresholds) <= 5 && length(distinct([for t in var.budget_thresholds : "${t.type}/${t.threshold}"])) == length(var.budget_thresholds)
    error_message = "budget_thresholds must hold 1 to 5 notifications (the AWS Budgets limit per budget), each (threshold, type) pair once."
  }
}

variable "budgets" {
  description = <<-EOT
    Monthly budgets by kind; leave a kind out to skip it:
    - glue_cost: Glue spend in USD (limit defaults to monthly_limit_usd),
    - glue_dpu_hours: Glue ETL DPU-hours, a USAGE budget (limit required, in DPU-hours),
    - s3_storage: S3 storage spend in USD (limit required),
    - api_gateway: API Gateway spend (requests) in USD (limit required).
    thresholds overrides budget_thresholds for that budget; cost_filters overrides the kind's filters
    (Cost Explorer dimension name -> values), unit the kind's limit unit.
  EOT
  type = map(object({
    limit        = optional(number)
    thresholds   = optional(list(object({ threshold = number, type = string, severity = string })))
    cost_filters = optional(map(list(string)))
    unit         = optional(string)
  }))
  default = { glue_cost = {} }

  validation {
    condition     = alltrue([for k in keys(var.budgets) : contains(["glue_cost", "glue_dpu_hours", "s3_storage", "api_gateway"], k)])
    error_message = "budgets keys must be one of glue_cost, glue_dpu_hours, s3_storage, api_gateway."
  }

  validation {
    condition     = alltrue([for b in values(var.budgets) : b.limit == null || try(b.limit > 0, false)])
    error_message = "budgets[*].limit must be positive (greater than 0)."
  }

  validation {
    condition     = alltrue([for k, b in var.budgets : k == "glue_cost" || b.limit != null])
    error_message = "budgets[*].limit is required for glue_dpu_hours, s3_storage and api_gateway (only glue_cost defaults to monthly_limit_usd)."
  }

  validation {
    condition = alltrue(flatten([for b in values(var.budgets) : [
      for t in coalesce(b.thresholds, []) : t.threshold >= 1 && t.threshold <= 1000 && contains(["ACTUAL", "FORECASTED"], t.type) && contains(["critical", "warning", "info"], t.severity)
    ]]))
    error_message = "budgets[*].thresholds: threshold must be between 1 and 1000 (percent), type one of ACTUAL, FORECASTED, severity one of critical, warning, info."
  }

  validation {
    condition = alltrue([for b in values(var.budgets) : b.thresholds == null || (
      length(coalesce(b.thresholds, [])) >= 1 && length(coalesce(b.thresholds, [])) <= 5 &&
      length(distinct([for t in coalesce(b.thresholds, []) : "${t.type}/${t.threshold}"])) == length(coalesce(b.thresholds, [])))
    ])
    error_message = "budgets[*].thresholds must hold 1 to 5 notifications, each (threshold, type) pair once."
  }

  validation {
    condition = alltrue([for b in values(var.budgets) : alltrue([
      for name in keys(coalesce(b.cost_filters, {})) : contains(["AZ", "BillingEntity", "CostCategory", "InstanceType", "LegalEntityName", "LinkedAccount", "Operation", "PurchaseType", "Region", "Service", "TagKeyValue", "UsageType", "UsageTypeGroup"], name)
    ])])
    error_message = "budgets[*].cost_filters keys must be Budgets cost filter names: AZ, BillingEntity, CostCategory, InstanceType, LegalEntityName, LinkedAccount, Operation, PurchaseType, Region, Service, TagKeyValue, UsageType, UsageTypeGroup."
  }
}

variable "glue_dpu_usage_types" {
  description = "Usage types counted by the glue_dpu_hours budget. null = <region code>-ETL-DPU-Hour for the provider's region (e.g. USE1-ETL-DPU-Hour); Cost Explorer's Usage type dimension lists the exact names."
  type        = list(string)
  default     = null

  validation {
    condition     = var.glue_dpu_usage_types == null || (length(coalesce(var.glue_dpu_usage_types, [])) > 0 && alltrue([for u in coalesce(var.glue_dpu_usage_types, []) : can(regex("^[A-Za-z0-9:._-]+$", u))]))
    error_message = "glue_dpu_usage_types must be null or a non-empty list of usage type names (letters, digits, ':', '.', '_', '-'), e.g. USE1-ETL-DPU-Hour."
  }
}

variable "billing_alarms" {
  description = "Alarms on AWS/Billing EstimatedCharges (Currency=USD), keyed by the ServiceName dimension (e.g. AWSGlue, AmazonS3, AmazonApiGateway) or `total` for the whole account. threshold_usd defaults to monthly_limit_usd. Billing alerts must be enabled in the account's billing preferences."
  type = map(object({
    threshold_usd = optional(number)
    severity      = optional(string, "warning")
  }))
  default = {
    total   = { severity = "critical" }
    AWSGlue = { severity = "warning" }
  }

  validation {
    condition     = alltrue([for k in keys(var.billing_alarms) : can(regex("^[A-Za-z][A-Za-z0-9]{1,63}$", k))])
    error_message = "billing_alarms keys must be `total` or an AWS/Billing ServiceName (letters and digits, e.g. AWSGlue, AmazonS3)."
  }

  validation {
    condition     = alltrue([for a in values(var.billing_alarms) : a.threshold_usd == null || try(a.threshold_usd > 0, false)])
    error_message = "billing_alarms[*].threshold_usd must be positive (greater than 0) or null."
  }

  validation {
    condition     = alltrue([for a in values(var.billing_alarms) : contains(["critical", "warning", "info"], a.severity)])
    error_message = "billing_alarms[*].severity must be one of critical, warning, info."
  }
}

variable "billing_alarm_period_seconds" {
  description = "Period of the billing alarms. AWS publishes EstimatedCharges about every 6 hours (21600); the emulator tests use 10."
  type        = number
  default     = 21600

  validation {
    condition     = contains([10, 20, 30], var.billing_alarm_period_seconds) || (var.billing_alarm_period_seconds >= 60 && var.billing_alarm_period_seconds <= 86400 && var.billing_alarm_period_seconds % 60 == 0)
    error_message = "billing_alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400."
  }
}

variable "anomaly_monitor_arn" {
  description = "An existing Cost Anomaly Detection monitor to subscribe to. AWS allows one SERVICE monitor per account: give its ARN in every environment but the one that creates it. null = create it."
  type        = string
  default     = null

  validation {
    condition     = var.anomaly_monitor_arn == null || can(regex("^arn:aws[a-z-]*:ce::[0-9]{12}:anomalymonitor/[A-Za-z0-9-]+$", coalesce(var.anomaly_monitor_arn, "x")))
    error_message = "anomaly_monitor_arn must be null or a Cost Anomaly Detection monitor ARN (arn:aws:ce::<account>:anomalymonitor/<id>)."
  }
}

variable "anomaly_threshold_usd" {
  description = "Notify on a cost anomaly whose total impact is at least this many USD."
  type        = number
  default     = 50

  validation {
    condition     = var.anomaly_threshold_usd > 0
    error_message = "anomaly_threshold_usd must be positive (greater than 0)."
  }
}

variable "anomaly_threshold_percent" {
  description = "Also notify when an anomaly's impact is at least this percentage of the expected spend (OR with anomaly_threshold_usd). null = the absolute threshold only."
  type        = number
  default     = null

  validation {
    condition     = var.anomaly_threshold_percent == null || try(var.anomaly_threshold_percent > 0 && var.anomaly_threshold_percent <= 1000, false)
    error_message = "anomaly_threshold_percent must be null or between 0 (exclusive) and 1000."
  }
}

variable "anomaly_severity" {
  description = "Severity topic the anomaly subscription notifies."
  type        = string
  default     = "warning"

  validation {
    condition     = contains(["critical", "warning", "info"], var.anomaly_severity)
    error_message = "anomaly_severity must be one of critical, warning, info."
  }
}

variable "runbook_url" {
  description = "Where the alarm descriptions point to: the runbook of these alerts."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/modules/cost_alerts/README.md#runbook"

  validation {
    condition     = can(regex("^https://", var.runbook_url))
    error_message = "runbook_url must be an https:// URL."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
}
