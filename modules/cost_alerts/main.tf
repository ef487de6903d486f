# What the pipeline costs, watched three ways:
#   1. AWS Budgets (monthly, actual and forecast thresholds) for the Glue spend, Glue DPU-hours, S3 storage
#      and API Gateway, notifying the severity topics;
#   2. CloudWatch alarms on AWS/Billing EstimatedCharges (us-east-1 only), per service and in total;
#   3. Cost Anomaly Detection: a SERVICE monitor and an immediate SNS subscription.

data "aws_region" "current" {}

locals {
  # Usage-type prefixes of the billing data (Cost Explorer's "Usage type"); us-east-1 is USE1 for Glue.
  usage_region_codes = {
    "us-east-1"      = "USE1"
    "us-east-2"      = "USE2"
    "us-west-1"      = "USW1"
    "us-west-2"      = "USW2"
    "ca-central-1"   = "CAN1"
    "eu-west-1"      = "EU"
    "eu-west-2"      = "EUW2"
    "eu-west-3"      = "EUW3"
    "eu-central-1"   = "EUC1"
    "eu-north-1"     = "EUN1"
    "eu-south-1"     = "EUS1"
    "ap-northeast-1" = "APN1"
    "ap-northeast-2" = "APN2"
    "ap-northeast-3" = "APN3"
    "ap-southeast-1" = "APS1"
    "ap-southeast-2" = "APS2"
    "ap-south-1"     = "APS3"
    "sa-east-1"      = "SAE1"
  }
  region_code = lookup(local.usage_region_codes, data.aws_region.current.name, null)
  glue_dpu_usage_types = length(var.glue_dpu_usage_types) > 0 ? var.glue_dpu_usage_types : (
  local.region_code == null ? [] : ["${local.region_code}-ETL-DPU-Hour"])

  # Each kind of budget: what it measures and how it is filtered.
  budget_kinds = {
    glue_cost = {
      budget_type = "COST"
      unit        = "USD"
      filters     = { Service = ["AWS Glue"] }
    }
    glue_dpu_hours = {
      budget_type = "USAGE"
      unit        = "DPU-Hour"
      filters     = { Service = ["AWS Glue"], UsageType = local.glue_dpu_usage_types }
    }
    s3_storage = {
      budget_type = "COST"
      unit        = "USD"
      filters = {
        Service = ["Amazon Simple Storage Service"]
        UsageTypeGroup = [
          "S3: Storage - Standard",
          "S3: Storage - Standard Infrequent Access",
          "S3: Storage - One Zone Infrequent Access",
          "S3: Storage - Intelligent Tiering Frequent Access",
          "S3: Storage - Glacier Instant Retrieval",
        ]
      }
    }
    api_gateway = {
      budget_type = "COST"
      unit        = "USD"
      filters     = { Service = ["Amazon API Gateway"] }
    }
  }

  budgets = var.create && var.create_budgets ? {
    for kind, b in var.budgets : kind => {
      name        = "${var.name_prefix}-${replace(kind, "_", "-")}"
      budget_type = local.budget_kinds[kind].budget_type
      limit       = coalesce(b.limit, var.monthly_limit_usd)
      unit        = coalesce(b.unit, local.budget_kinds[kind].unit)
      filters = merge(coalesce(b.cost_filters, local.budget_kinds[kind].filters),
      length(var.budget_tags) == 0 ? {} : { TagKeyValue = [for k, v in var.budget_tags : format("user:%s$%s", k, v)] })
      thresholds = coalesce(b.thresholds, var.budget_thresholds)
    }
  } : {}

  # Billing alarms in the project's one shape: built-in services, overridden or extended by var.alarms.
  billing_defaults = {
    total   = { critical = var.monthly_limit_usd }
    AWSGlue = { warning = var.monthly_limit_usd }
  }
  billing_settings = { for k in distinct(concat(keys(local.billing_defaults), keys(var.alarms))) : k => {
    enabled             = coalesce(try(var.alarms[k].enabled, null), true)
    thresholds          = coalesce(try(var.alarms[k].thresholds, null), lookup(local.billing_defaults, k, { warning = var.monthly_limit_usd }))
    period              = coalesce(try(var.alarms[k].period_seconds, null), var.alarm_period_seconds, 21600)
    evaluation_periods  = coalesce(try(var.alarms[k].evaluation_periods, null), 1)
    datapoints_to_alarm = coalesce(try(var.alarms[k].datapoints_to_alarm, null), 1)
    # no datapoint = nothing billed yet this month (the metric restarts every month)
    treat_missing_data = coalesce(try(var.alarms[k].treat_missing_data, null), "notBreaching")
    runbook            = coalesce(try(var.alarms[k].runbook_url, null), "${var.runbook_url}#estimated-charges")
  } }
  billing_alarms = var.create && var.create_billing_alarms ? merge([for k, st in local.billing_settings : {
    for severity, threshold in st.thresholds : "${k}-${severity}" => {
      service   = k
      severity  = severity
      threshold = threshold
      st        = st
    }
  } if st.enabled]...) : {}
  billing_topics = length(var.billing_alarm_topic_arns) > 0 ? var.billing_alarm_topic_arns : var.alarm_topic_arns

  # Every severity something here notifies: each needs a topic (validated on alarm_topic_arns).
  severities_used = toset(concat(
    flatten([for b in values(local.budgets) : [for t in b.thresholds : t.severity]]),
    var.create_anomaly_detection ? [var.anomaly_severity] : [],
    length(var.billing_alarm_topic_arns) > 0 ? [] : [for a in values(local.billing_alarms) : a.severity],
  ))

  create_anomaly_monitor = var.create && var.create_anomaly_detection && var.anomaly_monitor_arn == null
  anomaly_monitor_arn    = var.anomaly_monitor_arn != null ? var.anomaly_monitor_arn : try(aws_ce_anomaly_monitor.this[0].arn, null)
  anomaly_thresholds = merge(
    { ANOMALY_TOTAL_IMPACT_ABSOLUTE = var.anomaly_threshold_usd },
    var.anomaly_threshold_percent == null ? {} : { ANOMALY_TOTAL_IMPACT_PERCENTAGE = var.anomaly_threshold_percent },
  )

  tags = merge(var.tags, { Module = "cost_alerts" })
}

# -- 1. Budgets ------------------------------------------------------------------------------------------

resource "aws_budgets_budget" "this" {
  for_each = local.budgets

  name         = each.value.name
  budget_type  = each.value.budget_type
  limit_amount = tostring(each.value.limit)
  limit_unit   = each.value.unit
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    for_each = each.value.filters
    content {
      name   = cost_filter.key
      values = cost_filter.value
    }
  }

  dynamic "notification" {
    for_each = each.value.thresholds
    content {
      comparison_operator       = "GREATER_THAN"
      threshold                 = notification.value.threshold
      threshold_type            = "PERCENTAGE"
      notification_type         = notification.value.type
      subscriber_sns_topic_arns = [var.alarm_topic_arns[notification.value.severity]]
    }
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = length(each.value.filters) > 0 && alltrue([for v in values(each.value.filters) : length(v) > 0])
      error_message = "The ${each.key} budget has an empty cost filter: for glue_dpu_hours outside the known regions, set glue_dpu_usage_types."
    }
  }
}

# -- 2. Billing alarms (AWS/Billing exists in us-east-1 only) ---------------------------------------------

resource "aws_cloudwatch_metric_alarm" "estimated_charges" {
  for_each = local.billing_alarms
  provider = aws.us_east_1

  alarm_name = "${var.name_prefix}-estimated-charges-${lower(each.value.service)}-${each.value.severity}"
  alarm_description = format(
    "%s: estimated AWS charges%s this month are above %s USD (the %s environment's monthly limit is %s USD). Runbook: %s",
    title(each.value.severity),
    each.value.service == "total" ? "" : " for ${each.value.service}",
    each.value.threshold,
    var.name_prefix,
    var.monthly_limit_usd,
    each.value.st.runbook,
  )
  namespace           = "AWS/Billing"
  metric_name         = "EstimatedCharges"
  dimensions          = each.value.service == "total" ? { Currency = "USD" } : { ServiceName = each.value.service, Currency = "USD" }
  statistic           = "Maximum"
  period              = each.value.st.period
  evaluation_periods  = each.value.st.evaluation_periods
  datapoints_to_alarm = each.value.st.datapoints_to_alarm
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = each.value.st.treat_missing_data
  alarm_actions       = [local.billing_topics[each.value.severity]]
  ok_actions          = [local.billing_topics[each.value.severity]]

  tags = merge(local.tags, { Severity = each.value.severity })
}

# v0.1 keyed the billing alarms by service alone; with thresholds per severity the key is <service>-<severity>.
moved {
  from = aws_cloudwatch_metric_alarm.estimated_charges["total"]
  to   = aws_cloudwatch_metric_alarm.estimated_charges["total-critical"]
}

moved {
  from = aws_cloudwatch_metric_alarm.estimated_charges["AWSGlue"]
  to   = aws_cloudwatch_metric_alarm.estimated_charges["AWSGlue-warning"]
}

# -- 3. Cost Anomaly Detection (Cost Explorer's API is in us-east-1) --------------------------------------

resource "aws_ce_anomaly_monitor" "this" {
  count    = local.create_anomaly_monitor ? 1 : 0
  provider = aws.us_east_1

  name              = "${var.name_prefix}-services"
  monitor_type      = "DIMENSIONAL"
  monitor_dimension = "SERVICE"

  tags = local.tags
}

resource "aws_ce_anomaly_subscription" "this" {
  count    = var.create && var.create_anomaly_detection ? 1 : 0
  provider = aws.us_east_1

  name             = "${var.name_prefix}-anomalies-${var.anomaly_severity}"
  frequency        = "IMMEDIATE" # the only frequency that can notify an SNS topic
  monitor_arn_list = [local.anomaly_monitor_arn]

  subscriber {
    type    = "SNS"
    address = var.alarm_topic_arns[var.anomaly_severity]
  }

  threshold_expression {
    dynamic "dimension" {
      for_each = length(local.anomaly_thresholds) == 1 ? local.anomaly_thresholds : {}
      content {
        key           = dimension.key
        match_options = ["GREATER_THAN_OR_EQUAL"]
        values        = [tostring(dimension.value)]
      }
    }
    dynamic "or" {
      for_each = length(local.anomaly_thresholds) > 1 ? local.anomaly_thresholds : {}
      content {
        dimension {
          key           = or.key
          match_options = ["GREATER_THAN_OR_EQUAL"]
          values        = [tostring(or.value)]
        }
      }
    }
  }

  tags = local.tags
}
