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
  glue_dpu_usage_types = coalesce(var.glue_dpu_usage_types,
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
      filters     = coalesce(b.cost_filters, local.budget_kinds[kind].filters)
      thresholds  = coalesce(b.thresholds, var.budget_thresholds)
    }
  } : {}

  billing_topics = coalesce(var.billing_topic_arns, var.topic_arns)
  billing_alarms = var.create && var.create_billing_alarms ? var.billing_alarms : {}

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
      subscriber_sns_topic_arns = [var.topic_arns[notification.value.severity]]
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

  alarm_name = "${var.name_prefix}-estimated-charges-${lower(each.key)}-${each.value.severity}"
  alarm_description = format(
    "[%s] Estimated AWS charges%s this month are above %s USD (the %s environment's monthly limit is %s USD). Runbook: %s",
    each.value.severity,
    each.key == "total" ? "" : " for ${each.key}",
    coalesce(each.value.threshold_usd, var.monthly_limit_usd),
    var.name_prefix,
    var.monthly_limit_usd,
    var.runbook_url,
  )
  namespace           = "AWS/Billing"
  metric_name         = "EstimatedCharges"
  dimensions          = each.key == "total" ? { Currency = "USD" } : { ServiceName = each.key, Currency = "USD" }
  statistic           = "Maximum"
  period              = var.billing_alarm_period_seconds
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  threshold           = coalesce(each.value.threshold_usd, var.monthly_limit_usd)
  comparison_operator = "GreaterThanThreshold"
  # no datapoint = nothing billed yet this month (the metric restarts every month)
  treat_missing_data = "notBreaching"
  alarm_actions      = [local.billing_topics[each.value.severity]]
  ok_actions         = [local.billing_topics[each.value.severity]]

  tags = merge(local.tags, { Severity = each.value.severity })
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
    address = var.topic_arns[var.anomaly_severity]
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
