# One Lambda function of the operations tier (remediation, weekly report, health check) and everything it
# needs to run on its own: the execution role with a least-privilege inline policy, the log group
# (retention, KMS), a KMS key unless one is given, the dead-letter queue of its asynchronous invocations,
# the asynchronous retry settings, the EventBridge rules (patterns and schedules) and SNS subscriptions that
# invoke it with their permissions, and alarms on its errors and on its dead-letter queue.
#
# The zip is built outside Terraform (python -m tools.build_lambdas: deterministic, so the hash and the plan
# stay put); this module takes its path and hash.

data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

locals {
  account_id = try(data.aws_caller_identity.current[0].account_id, "")
  partition  = try(data.aws_partition.current[0].partition, "aws")
  region     = try(data.aws_region.current[0].name, "")
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"

  function_name = "${var.name_prefix}-${var.name}"
  log_group     = "/aws/lambda/${local.function_name}"
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group}"

  create_kms_key = var.create && var.create_kms_key
  kms_key_arn    = local.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn

  create_dlq = var.create && var.dead_letter_target_arn == null
  dlq_name   = "${local.function_name}-async-dlq"
  dlq_arn    = local.create_dlq ? "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.dlq_name}" : var.dead_letter_target_arn
  dlq_action = startswith(coalesce(local.dlq_arn, "arn:aws:sqs"), "arn:${local.partition}:sns:") ? "sns:Publish" : "sqs:SendMessage"

  # The function's signals and their defaults; var.alarms overrides them in the project's one shape.
  # No topics, no alarms: an alarm nobody hears is a cost, not a signal.
  signals = {
    errors       = { namespace = "AWS/Lambda", metric = "Errors", dimensions = { FunctionName = local.function_name }, statistic = "Sum", name = "${local.function_name}-errors" }
    dead_letters = { namespace = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = local.dlq_name }, statistic = "Maximum", name = "${local.dlq_name}-depth" }
  }
  settings = { for k, sig in local.signals : k => merge(sig, {
    enabled             = coalesce(try(var.alarms[k].enabled, null), true) && (k != "dead_letters" || local.create_dlq)
    thresholds          = coalesce(try(var.alarms[k].thresholds, null), { warning = 1 })
    period              = coalesce(try(var.alarms[k].period_seconds, null), var.alarm_period_seconds, 60)
    evaluation_periods  = coalesce(try(var.alarms[k].evaluation_periods, null), 1)
    datapoints_to_alarm = coalesce(try(var.alarms[k].datapoints_to_alarm, null), 1)
    treat_missing_data  = coalesce(try(var.alarms[k].treat_missing_data, null), "notBreaching")
    runbook             = coalesce(try(var.alarms[k].runbook_url, null), "${var.runbook_url}#${replace(k, "_", "-")}")
  }) }
  alarms = var.create && length(var.alarm_topic_arns) > 0 ? {
    for x in flatten([for k, st in local.settings : [for sev, t in st.thresholds : { key = "${k}-${sev}", signal = k, severity = sev, threshold = t, st = st }] if st.enabled]) : x.key => x
  } : {}
  severities_used = toset(flatten([for k, st in local.settings : keys(st.thresholds) if st.enabled]))

  event_rules       = var.create ? var.event_rules : {}
  sns_subscriptions = var.create ? var.sns_subscriptions : {}


  # The data-plane actions refused without TLS on the dead-letter queue.
  sqs_tls_actions = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:PurgeQueue",
    "sqs:ReceiveMessage",
    "sqs:SendMessage",
    "sqs:StartMessageMoveTask",
  ]
}

# -- the key (unless one is given: the composition's environment key) ------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  name_prefix        = var.name_prefix
  name               = "${var.name}-function"
  description        = "Logs, settings and dead-letter queue of the Lambda function ${local.function_name}"
  log_group_names    = [local.log_group] # CloudWatch Logs may use the key for this group only
  publisher_services = []
  via_services       = ["lambda", "sqs"] # deployers encrypt the settings through Lambda; the DLQ through SQS
  user_role_arns     = [aws_iam_role.this[0].arn]

  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = var.tags
}

# v0.1 had its own key here. An environment now has one key (the composition's), so the old key is
# forgotten, not destroyed: it stays in the account and keeps decrypting what it encrypted (the services
# hold its key id), and CHANGELOG 0.2.0 says how to schedule its deletion once that data has expired. The
# new key's alias has another name, so that the old alias can stay.
removed {
  from = aws_kms_key.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_kms_alias.this

  lifecycle {
    destroy = false
  }
}

# -- execution role -------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  count = var.create ? 1 : 0

  statement {
    sid     = "LambdaAssumesTheRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name               = local.function_name
  description        = "Execution role of the Lambda function ${local.function_name}"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  count = var.create ? 1 : 0

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arn, "${local.log_group_arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid     = "WriteTraces"
      effect  = "Allow"
      actions = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      # X-Ray has no resource-level permissions for these two actions: "*" is the only resource they take.
      resources = ["*"]
    }
  }

  statement {
    sid       = "DeadLetterFailedInvocations"
    effect    = "Allow"
    actions   = [local.dlq_action]
    resources = [local.dlq_arn]
  }

  statement {
    sid       = "UseTheKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.key
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = var.create ? 1 : 0

  name   = "${local.function_name}-least-privilege"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.function[0].json
}

# -- log group ------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  count = var.create ? 1 : 0
  #checkov:skip=CKV_AWS_338:operational logs of the function; retention is the caller's choice through log_retention_in_days (30 days by default)

  name              = local.log_group
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

# -- dead-letter queue of the asynchronous invocations --------------------------------------------------

data "aws_iam_policy_document" "dlq" {
  count = local.create_dlq ? 1 : 0

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = local.sqs_tls_actions
    resources = [local.dlq_arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue" "dlq" {
  count = local.create_dlq ? 1 : 0

  name                      = local.dlq_name
  message_retention_seconds = var.dead_letter_message_retention_seconds
  kms_master_key_id         = local.kms_key_arn
  policy                    = data.aws_iam_policy_document.dlq[0].json
  tags                      = merge(var.tags, { Role = "dead-letter-queue" })
}

# -- the function ---------------------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  count = var.create ? 1 : 0
  #checkov:skip=CKV_AWS_117:the operations functions call AWS APIs only; a VPC would add NAT or endpoints and nothing to protect
  #checkov:skip=CKV_AWS_272:code signing needs a Signer profile per account; the zip is built reproducibly and its hash is pinned by source_code_hash
  #checkov:skip=CKV_AWS_116:failed asynchronous invocations go to the on-failure destination of aws_lambda_function_event_invoke_config below (the same kind of queue, plus the error and the request context)

  function_name                  = local.function_name
  description                    = var.description
  role                           = aws_iam_role.this[0].arn
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  filename                       = var.filename
  source_code_hash               = var.source_code_hash
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = local.kms_key_arn

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [1] : []
    content {
      variables = var.environment_variables
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  # the log group first (retention and key apply from the first line), the permissions before the code runs
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this, aws_sqs_queue.dlq]
}

# The dead-letter target of asynchronous invocations (SNS, EventBridge): after maximum_retry_attempts, or
# when the event is older than maximum_event_age_in_seconds, Lambda sends a record with the event, the
# error and the request context to the on-failure destination. (An on-failure destination rather than the
# function's dead_letter_config: it carries the error too, and moto keeps it, so re-plans stay empty.)
resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.create ? 1 : 0

  function_name                = aws_lambda_function.this[0].function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = local.dlq_arn
    }
  }

  depends_on = [aws_iam_role_policy.this] # Lambda checks that the role may send to the destination
}

# -- what invokes it ------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.event_rules

  name                = "${local.function_name}-${each.key}"
  description         = each.value.description != "" ? each.value.description : "Invokes ${local.function_name}"
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.event_rules

  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "lambda"
  arn       = aws_lambda_function.this[0].arn
  input     = each.value.input
}

resource "aws_lambda_permission" "events" {
  for_each = local.event_rules

  statement_id   = "AllowEventBridge-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this[0].function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.this[each.key].arn
  source_account = local.account_id
}

resource "aws_sns_topic_subscription" "this" {
  for_each = local.sns_subscriptions

  topic_arn           = each.value.topic_arn
  protocol            = "lambda"
  endpoint            = aws_lambda_function.this[0].arn
  filter_policy       = each.value.filter_policy
  filter_policy_scope = each.value.filter_policy_scope

  depends_on = [aws_lambda_permission.sns]
}

resource "aws_lambda_permission" "sns" {
  for_each = local.sns_subscriptions

  statement_id   = "AllowSns-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this[0].function_name
  principal      = "sns.amazonaws.com"
  source_arn     = each.value.topic_arn
  source_account = local.account_id
}

# -- who watches the watcher ----------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name = "${each.value.st.name}-${each.value.severity}"
  alarm_description = each.value.signal == "errors" ? (
    "${title(each.value.severity)}: the Lambda function ${local.function_name} raised ${each.value.threshold} or more errors in ${each.value.st.period} s (an invocation failed; asynchronous ones are retried, then dead-lettered). Runbook: ${each.value.st.runbook}"
  ) : "${title(each.value.severity)}: ${each.value.threshold} or more events that ${local.function_name} failed to handle after every retry are waiting in ${local.dlq_name}. Runbook: ${each.value.st.runbook}"
  namespace   = each.value.st.namespace
  metric_name = each.value.st.metric
  dimensions  = each.value.st.dimensions
  statistic   = each.value.st.statistic

  period              = each.value.st.period
  evaluation_periods  = each.value.st.evaluation_periods
  datapoints_to_alarm = each.value.st.datapoints_to_alarm
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = each.value.st.treat_missing_data

  actions_enabled = true
  alarm_actions   = [var.alarm_topic_arns[each.value.severity]]
  ok_actions      = [var.alarm_topic_arns[each.value.severity]]
  tags            = merge(var.tags, { Severity = each.value.severity })
}

# v0.1 had one alarm per signal at alarm_severity (warning by default); now one per severity threshold.
# A caller that set alarm_severity = "critical" moves its alarms on (modules/etl_monitoring does).
moved {
  from = aws_cloudwatch_metric_alarm.errors[0]
  to   = aws_cloudwatch_metric_alarm.this["errors-warning"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dlq_depth[0]
  to   = aws_cloudwatch_metric_alarm.this["dead_letters-warning"]
}
