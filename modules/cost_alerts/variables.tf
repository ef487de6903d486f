variable "create" {
  description = "Create anything at all. false plans nothing (a disabled module must cost nothing)."
  type        = bool
  default     = true
  nullable    = false
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
  description = "Create the CloudWatch alarms on AWS/Billing EstimatedCharges (alarms; in us-east-1, through the aws.us_east_1 provider)."
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

variable "monthly_limit_usd" {
  description = "The environment's monthly limit in USD: the Glue spend budget and the default threshold of the billing alarms (e.g. dev 100, staging 300, prod 2000)."
  type        = number

  validation {
    condition     = var.monthly_limit_usd > 0 && var.monthly_limit_usd <= 1000000000
    error_message = "monthly_limit_usd must be a positive amount of USD (greater than 0, at most 1e9)."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topic ARN by severity (critical, warning, info), e.g. the notifications module's topic_arns: what the budgets, the anomaly subscription and (unless billing_alarm_topic_arns is set) the billing alarms notify. Every severity they use needs a topic. The topics' key and policy must let budgets.amazonaws.com, costalerts.amazonaws.com and cloudwatch.amazonaws.com publish (the notifications module's do)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s in keys(var.alarm_topic_arns) : contains(["critical", "warning", "info"], s)])
    error_message = "alarm_topic_arns keys must be severities: critical, warning, info; got ${jsonencode(keys(var.alarm_topic_arns))}."
  }

  validation {
    condition     = alltrue([for v in values(var.alarm_topic_arns) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", v))])
    error_message = "alarm_topic_arns values must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<name>)."
  }

  validation {
    condition     = !var.create || length(setsubtract(local.severities_used, keys(var.alarm_topic_arns))) == 0
    error_message = "alarm_topic_arns must have a topic for every severity the budgets, the anomaly subscription and the billing alarms use (no alert silently dropped); missing: ${join(", ", setsubtract(local.severities_used, keys(var.alarm_topic_arns)))}."
  }

  validation {
    condition     = length(var.billing_alarm_topic_arns) > 0 || length(local.billing_alarms) == 0 || alltrue([for v in values(var.alarm_topic_arns) : can(regex("^arn:aws[a-z-]*:sns:us-east-1:", v))])
    error_message = "alarm_topic_arns: the billing alarms live in us-east-1 (AWS/Billing exists only there) and a CloudWatch alarm can only notify a topic of its own region: give us-east-1 topics here, or us-east-1 topics in billing_alarm_topic_arns."
  }
}

variable "billing_alarm_topic_arns" {
  description = "SNS topic ARN by severity for the billing alarms, when alarm_topic_arns are not in us-east-1: AWS/Billing exists only in us-east-1 and an alarm can only notify a topic of its own region. {} = alarm_topic_arns."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s, v in var.billing_alarm_topic_arns : contains(["critical", "warning", "info"], s) && can(regex("^arn:aws[a-z-]*:sns:us-east-1:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", v))])
    error_message = "billing_alarm_topic_arns must map severities (critical, warning, info) to SNS topic ARNs in us-east-1."
  }

  validation {
    condition     = length(var.billing_alarm_topic_arns) == 0 || length(setsubtract(toset([for a in values(local.billing_alarms) : a.severity]), keys(var.billing_alarm_topic_arns))) == 0
    error_message = "billing_alarm_topic_arns must have a topic for every severity the billing alarms use; missing: ${join(", ", setsubtract(toset([for a in values(local.billing_alarms) : a.severity]), keys(var.billing_alarm_topic_arns)))}."
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
  nullable = false

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
  default  = { glue_cost = {} }
  nullable = false

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

variable "budget_tags" {
  description = "Count in every budget only the costs of resources with these tags (cost filter TagKeyValue user:<key>$<value>): how two environments sharing an account each watch their own spend. The tags must be activated as cost allocation tags in the account's billing console, or such a budget sees nothing. {} = the account's (filtered by service) spend."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.budget_tags : can(regex("^[A-Za-z0-9 _.:/=+@-]{1,128}$", k)) && can(regex("^[A-Za-z0-9 _.:/=+@-]{0,256}$", v))])
    error_message = "budget_tags must be tag keys (1-128 characters) and values (0-256) of letters, digits, spaces and _ . : / = + @ -."
  }
}

variable "glue_dpu_usage_types" {
  description = "Usage types counted by the glue_dpu_hours budget. [] = <region code>-ETL-DPU-Hour for the provider's region (e.g. USE1-ETL-DPU-Hour); Cost Explorer's Usage type dimension lists the exact names."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.glue_dpu_usage_types : can(regex("^[A-Za-z0-9:._-]+$", u))])
    error_message = "glue_dpu_usage_types must be usage type names (letters, digits, ':', '.', '_', '-'), e.g. USE1-ETL-DPU-Hour; got ${jsonencode(var.glue_dpu_usage_types)}."
  }
}

variable "alarms" {
  description = <<-EOT
    Alarms on AWS/Billing EstimatedCharges (Currency=USD, the month's charges so far), in the project's one
    override shape (CONTRIBUTING.md), keyed by the ServiceName dimension (e.g. AWSGlue, AmazonS3,
    AmazonApiGateway) or `total` for the whole account. thresholds is severity -> USD, one alarm each.
    Built in: total { critical = monthly_limit_usd } and AWSGlue { warning = monthly_limit_usd }; a key adds a
    service, enabled = false removes one. The period defaults to alarm_period_seconds, else 21600 (AWS
    publishes the metric about every 6 hours). Billing alerts must be enabled in the account's billing
    preferences, or the metric does not exist.
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
    condition     = alltrue([for k in keys(var.alarms) : can(regex("^[A-Za-z][A-Za-z0-9]{1,63}$", k))])
    error_message = "alarms keys must be `total` or an AWS/Billing ServiceName (letters and digits, e.g. AWSGlue, AmazonS3); got ${jsonencode(keys(var.alarms))}."
  }

  validation {
    condition     = alltrue(flatten([for k, a in var.alarms : [for s, t in coalesce(a.thresholds, {}) : contains(["critical", "warning", "info"], s) && t > 0]]))
    error_message = "alarms.<service>.thresholds must map severities (critical, warning, info) to positive amounts of USD."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.period_seconds == null || contains([10, 20, 30], coalesce(a.period_seconds, 60)) || (coalesce(a.period_seconds, 60) >= 60 && coalesce(a.period_seconds, 60) % 60 == 0)])
    error_message = "alarms.<service>.period_seconds must be 10, 20, 30 or a multiple of 60."
  }

  validation {
    condition = alltrue([for k, a in var.alarms : (
      coalesce(a.evaluation_periods, 1) >= 1 && floor(coalesce(a.evaluation_periods, 1)) == coalesce(a.evaluation_periods, 1) &&
      coalesce(a.datapoints_to_alarm, 1) >= 1 && coalesce(a.datapoints_to_alarm, 1) <= coalesce(a.evaluation_periods, 1) &&
      coalesce(a.evaluation_periods, 1) * coalesce(a.period_seconds, var.alarm_period_seconds, 21600) <= 86400
    )])
    error_message = "alarms.<service>: evaluation_periods must be a whole number of at least 1, datapoints_to_alarm from 1 to evaluation_periods, and evaluation_periods x period at most 86400 (one day)."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.treat_missing_data == null || contains(["missing", "ignore", "breaching", "notBreaching"], coalesce(a.treat_missing_data, "missing"))])
    error_message = "alarms.<service>.treat_missing_data must be one of missing, ignore, breaching, notBreaching."
  }

  validation {
    condition     = alltrue([for k, a in var.alarms : a.runbook_url == null || can(regex("^https://\\S+$", a.runbook_url))])
    error_message = "alarms.<service>.runbook_url must be an https:// URL."
  }
}

variable "alarm_period_seconds" {
  description = "Period of every billing alarm without a period of its own: 10, 20, 30 or a multiple of 60. null = 21600 (AWS publishes EstimatedCharges about every 6 hours); the emulator tests use 10."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_period_seconds == null || contains([10, 20, 30], coalesce(var.alarm_period_seconds, 60)) || (coalesce(var.alarm_period_seconds, 60) >= 60 && coalesce(var.alarm_period_seconds, 60) <= 86400 && coalesce(var.alarm_period_seconds, 60) % 60 == 0)
    error_message = "alarm_period_seconds must be 10, 20, 30 or a multiple of 60 up to 86400, or null; got ${jsonencode(var.alarm_period_seconds)}."
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
  description = "The runbook page every alert description ends with, as <runbook_url>#<section> (estimated-charges, budgets, anomalies)."
  type        = string
  default     = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/cost-alerts.md"
  nullable    = false

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url)) && length(var.runbook_url) <= 512
    error_message = "runbook_url must be an https:// URL without a #fragment (the module appends #<section>), at most 512 characters; got ${jsonencode(var.runbook_url)}."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
