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
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions_json == null ? null : jsondecode(each.value.dimensions_json)
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  threshold_metric_id = each.value.threshold_metric_id
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data
  actions_enabled     = true
  alarm_actions       = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])
  ok_actions          = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])

  dynamic "metric_query" {
    for_each = jsondecode(each.value.queries_json)
    content {
      id          = metric_query.value.id
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = metric_query.value.return_data

      dynamic "metric" {
        for_each = metric_query.value.metric == null ? [] : [metric_query.value.metric]
        content {
          namespace   = metric.value.namespace
          metric_name = metric.value.metric_name
          dimensions  = metric.value.dimensions
          stat        = metric.value.stat
          period      = metric.value.period
        }
      }
    }
  }

  tags = var.tag_alarms ? var.tags : null

  lifecycle {
    precondition {
      condition     = each.value.datapoints_to_alarm <= each.value.evaluation_periods && coalesce(each.value.period, 60) * each.value.evaluation_periods <= (coalesce(each.value.period, 60) >= 3600 ? 604800 : 86400)
      error_message = "${each.value.name}: datapoints_to_alarm (${each.value.datapoints_to_alarm}) must not exceed evaluation_periods (${each.value.evaluation_periods}), and period x evaluation_periods must stay within 1 day (7 days for periods of an hour or more): check the job's alarms and alarm_defaults."
    }
  }
}

# Composite rules name their children by ARN (predictable, built by the parent); depends_on creates the
# children first.
resource "aws_cloudwatch_composite_alarm" "slo" {
  for_each = var.slo_composites

  alarm_name        = each.value.name
  alarm_description = each.value.description
  alarm_rule        = each.value.rule
  actions_enabled   = true
  alarm_actions     = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])
  ok_actions        = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])

  tags = var.tag_alarms ? var.tags : null

  depends_on = [aws_cloudwatch_metric_alarm.this]
}

resource "aws_cloudwatch_composite_alarm" "health" {
  for_each = var.health

  alarm_name        = each.value.name
  alarm_description = each.value.description
  alarm_rule        = each.value.rule
  actions_enabled   = true
  alarm_actions     = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])
  ok_actions        = compact([lookup(var.alarm_topic_arns, each.value.severity, "")])

  tags = var.tag_alarms ? var.tags : null

  depends_on = [aws_cloudwatch_metric_alarm.this, aws_cloudwatch_composite_alarm.slo]
}
