# X-Ray for the pipelines: sampling rules (Lambdas, jobs), one group per pipeline (a filter expression, so
# the trace map and insights read per pipeline), the region's trace encryption with the project's key,
# insight notifications through EventBridge to the warning topic, and the least-privilege policy a Glue job
# role needs to send its traces with PutTraceSegments (no X-Ray daemon runs in Glue).

data "aws_region" "current" {}

locals {
  sampling_rules = var.create && var.create_xray_sampling_rules ? var.sampling_rules : {}

  filter_expressions = {
    for k, p in var.pipelines : k => p.filter_expression != null ? p.filter_expression : join(" OR ", [
      for j in p.job_names : "annotation.job_name = \"${j}\""
    ])
  }
  groups = var.create && var.create_xray_groups ? var.pipelines : {}

  # groups whose insights notify: the EventBridge rule matches their names
  notifying_groups     = sort([for k, p in var.pipelines : "${var.name_prefix}-${k}" if p.insights_enabled && p.notifications_enabled])
  create_insights_rule = var.create && length(local.notifying_groups) > 0

  tags = merge(var.tags, { Module = "tracing" })
}

resource "aws_xray_sampling_rule" "this" {
  for_each = local.sampling_rules

  rule_name      = "${var.name_prefix}-${each.key}"
  priority       = each.value.priority
  version        = 1
  fixed_rate     = each.value.fixed_rate
  reservoir_size = each.value.reservoir_size
  service_name   = coalesce(each.value.service_name, "${var.name_prefix}-*")
  service_type   = each.value.service_type
  host           = each.value.host
  http_method    = each.value.http_method
  url_path       = each.value.url_path
  resource_arn   = each.value.resource_arn
  attributes     = each.value.attributes

  tags = local.tags
}

resource "aws_xray_group" "this" {
  for_each = local.groups

  group_name        = "${var.name_prefix}-${each.key}"
  filter_expression = local.filter_expressions[each.key]

  insights_configuration {
    insights_enabled      = each.value.insights_enabled
    notifications_enabled = each.value.notifications_enabled
  }

  tags = local.tags
}

resource "aws_xray_encryption_config" "this" {
  count = var.create && var.create_xray_encryption_config ? 1 : 0

  type   = "KMS"
  key_id = var.kms_key_arn
}

# -- insights -> EventBridge -> the warning topic -------------------------------------------------------

resource "aws_cloudwatch_event_rule" "insights" {
  count = local.create_insights_rule ? 1 : 0

  name        = "${var.name_prefix}-xray-insights"
  description = "X-Ray insights (anomalies in the traces) of the pipelines' groups, to the warning topic."
  event_pattern = jsonencode({
    source        = ["aws.xray"]
    "detail-type" = ["AWS X-Ray Insight Update"]
    detail = {
      GroupName = local.notifying_groups
      State     = var.insights_states
    }
  })

  tags = local.tags
}

resource "aws_cloudwatch_event_target" "insights" {
  count = local.create_insights_rule ? 1 : 0

  rule      = aws_cloudwatch_event_rule.insights[0].name
  target_id = "${var.insights_severity}-topic"
  arn       = var.alarm_topic_arns[var.insights_severity]
}

# -- what a Glue job role needs to send its traces ------------------------------------------------------

data "aws_iam_policy_document" "job" {
  # X-Ray's trace APIs have no resource-level permissions: "*" is the only resource they accept.
  #checkov:skip=CKV_AWS_111:xray:PutTraceSegments supports no resource-level permissions (Resource must be "*")
  #checkov:skip=CKV_AWS_356:xray:PutTraceSegments supports no resource-level permissions (Resource must be "*")
  statement {
    sid       = "SendTraceSegments"
    actions   = ["xray:PutTraceSegments"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.job_trace_sampling_actions ? [1] : []
    content {
      sid       = "ReadSamplingDecisions"
      actions   = ["xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries", "xray:GetSamplingTargets"]
      resources = ["*"]
    }
  }

  # With a customer-managed key, X-Ray encrypts with the sender's permissions on the key; only through X-Ray.
  dynamic "statement" {
    for_each = var.create_xray_encryption_config ? [var.kms_key_arn] : []
    content {
      sid       = "EncryptTracesThroughXRay"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["xray.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}
