resource "aws_cloudwatch_event_rule" "job_state" {
  for_each = var.failure_rule

  name          = each.value.name
  description   = each.value.description
  event_pattern = each.value.event_pattern
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "job_state" {
  # only where the topic exists (a missing one is reported by the validation of alarm_topic_arns)
  for_each = { for k, r in var.failure_rule : k => r if r.notify && contains(keys(var.alarm_topic_arns), r.severity) }

  rule      = aws_cloudwatch_event_rule.job_state[each.key].name
  target_id = "notify-${each.value.severity}"
  arn       = var.alarm_topic_arns[each.value.severity]

  input_transformer {
    input_paths = {
      job     = "$.detail.jobName"
      state   = "$.detail.state"
      run     = "$.detail.jobRunId"
      message = "$.detail.message"
      time    = "$.time"
      account = "$.account"
      region  = "$.region"
    }
    input_template = each.value.input_template
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = try(each.value.metric.namespace, null)
  metric_name         = try(each.value.metric.metric_name, null)
  dimensions          = try(each.value.metric.dimensions, null)
  statistic           = try(each.value.metric.statistic, null)
  extended_statistic  = try(each.value.metric.extended_statistic, null)
  period              = try(each.value.metric.period, null)
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  threshold_metric_id = each.value.threshold_metric_id
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data
  actions_enabled     = true
  # a topic only where the alarm notifies and the topic exists (a missing one: the validation of alarm_topic_arns)
  alarm_actions             = each.value.notify ? compact([lookup(var.alarm_topic_arns, each.value.severity, "")]) : []
  ok_actions                = each.value.notify ? compact([lookup(var.alarm_topic_arns, each.value.severity, "")]) : []
  insufficient_data_actions = each.value.notify && each.value.notify_insufficient_data ? compact([lookup(var.alarm_topic_arns, each.value.insufficient_data_severity, "")]) : []

  dynamic "metric_query" {
    for_each = each.value.metric_queries
    content {
      id          = metric_query.value.id
      label       = metric_query.value.label
      return_data = metric_query.value.return_data

      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = metric_query.value.period
      }
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expressions
    content {
      id          = metric_query.value.id
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = metric_query.value.return_data
    }
  }

  tags = var.tag_alarms ? var.tags : null

  lifecycle {
    precondition {
      condition     = each.value.datapoints_to_alarm <= each.value.evaluation_periods && coalesce(try(each.value.metric.period, null), 60) * each.value.evaluation_periods <= (coalesce(try(each.value.metric.period, null), 60) >= 3600 ? 604800 : 86400)
      error_message = "${each.value.name}: datapoints_to_alarm (${each.value.datapoints_to_alarm}) must not exceed evaluation_periods (${each.value.evaluation_periods}), and period x evaluation_periods must stay within 1 day (7 days for periods of an hour or more): check the job's alarms and the alarms input."
    }
  }
}

# The composites that notify, with an optional actions_suppressor: the SLO burn-rate alerts, and the composite of
# each signal suppressed by another (signals.json suppressed_by, keys <job>/<signal>/<severity>/notify).
# Composite rules name their children by ARN (predictable, built by the parent); depends_on creates the
# children first.
resource "aws_cloudwatch_composite_alarm" "slo" {
  for_each = var.slo_composites

  alarm_name        = each.value.name
  alarm_description = each.value.description
  alarm_rule        = each.value.rule
  actions_enabled   = true
  alarm_actions     = each.value.notify ? compact([lookup(var.alarm_topic_arns, each.value.severity, "")]) : []
  # no OK: its ALARM may have been suppressed (the incident was notified by the suppressor), and an OK on a topic
  # that got no ALARM closes nothing (the description says so)
  ok_actions = []

  dynamic "actions_suppressor" {
    for_each = each.value.suppressor == null ? [] : [each.value.suppressor]
    content {
      alarm            = actions_suppressor.value.alarm
      wait_period      = actions_suppressor.value.wait_period
      extension_period = actions_suppressor.value.extension_period
    }
  }

  tags = var.tag_alarms ? var.tags : null

  depends_on = [aws_cloudwatch_metric_alarm.this]
}

# The health roll-up: drawn on the dashboards, without actions (each child notifies its own severity).
resource "aws_cloudwatch_composite_alarm" "health" {
  for_each = var.health

  alarm_name        = each.value.name
  alarm_description = each.value.description
  alarm_rule        = each.value.rule
  actions_enabled   = true
  alarm_actions     = each.value.notify ? compact([lookup(var.alarm_topic_arns, each.value.severity, "")]) : []
  ok_actions        = each.value.notify ? compact([lookup(var.alarm_topic_arns, each.value.severity, "")]) : []

  tags = var.tag_alarms ? var.tags : null

  depends_on = [aws_cloudwatch_metric_alarm.this, aws_cloudwatch_composite_alarm.slo]
}

# Events that are a sentence on a topic (no alarm reads them): Glue Data Quality results with failed rules,
# completed runs, runs past notify_delay_after.
resource "aws_cloudwatch_event_rule" "notify" {
  for_each = var.notification_rules

  name          = each.value.name
  description   = each.value.description
  event_pattern = each.value.event_pattern
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "notify" {
  for_each = { for k, r in var.notification_rules : k => r if contains(keys(var.alarm_topic_arns), r.severity) }

  rule      = aws_cloudwatch_event_rule.notify[each.key].name
  target_id = "notify-${each.value.severity}"
  arn       = var.alarm_topic_arns[each.value.severity]

  input_transformer {
    input_paths    = each.value.input_paths
    input_template = each.value.input_template
  }
}
