# A dead-letter queue for records and events that failed processing, optionally the source queue that
# feeds it, and alarms on its depth and on the age of its oldest message, per severity.
#
# On the emulator the provider waits ~25 s after creating each queue (it polls GetQueueAttributes until it
# has seen the requested attributes 6 times in a row, 5 s apart) and again after every separate
# aws_sqs_queue_policy / redrive resource. So every policy here is an argument of its queue, and the ARNs
# the policies name are computed, not read from the queues: the queues do not wait on each other except
# where SQS requires it (a redrive policy's dead-letter target must exist).

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
  arn_prefix = "arn:${local.partition}:sqs:${local.region}:${local.account_id}"

  dlq_name          = "${var.name_prefix}-${var.name}-dlq"
  dlq_arn           = "${local.arn_prefix}:${local.dlq_name}"
  source_queue_name = "${var.name_prefix}-${var.name}"
  source_queue_arn  = "${local.arn_prefix}:${local.source_queue_name}"
  create_source     = var.create && var.create_source_queue

  # Who may use this queue as a dead-letter queue: byQueue when any source is known, else the SQS default.
  redrive_sources = concat(var.create_source_queue ? [local.source_queue_arn] : [], var.allowed_source_queue_arns)
  redrive_allow_policy = length(local.redrive_sources) > 0 ? jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = local.redrive_sources
  }) : null

  create_kms_key = var.create && var.create_kms_key
  kms_key_arn    = local.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn

  event_rule_senders = [for a in var.allowed_sender_arns : a if can(regex("^arn:[^:]+:events:", a))]
  topic_senders      = [for a in var.allowed_sender_arns : a if can(regex("^arn:[^:]+:sns:", a))]

  # The data-plane actions refused without TLS (named: no "*" in any Action of this project).
  tls_actions = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:PurgeQueue",
    "sqs:ReceiveMessage",
    "sqs:SendMessage",
    "sqs:StartMessageMoveTask",
  ]

  # The queue's signals and their defaults; var.alarms overrides them in the project's one shape.
  signals = {
    depth = { metric = "ApproximateNumberOfMessagesVisible", thresholds = { warning = 1, critical = 100 } }
    age   = { metric = "ApproximateAgeOfOldestMessage", thresholds = { warning = 3600, critical = 259200 } }
  }
  settings = { for k, sig in local.signals : k => {
    enabled             = coalesce(try(var.alarms[k].enabled, null), true)
    thresholds          = coalesce(try(var.alarms[k].thresholds, null), sig.thresholds)
    period              = coalesce(try(var.alarms[k].period_seconds, null), var.alarm_period_seconds, 60)
    evaluation_periods  = coalesce(try(var.alarms[k].evaluation_periods, null), 1)
    datapoints_to_alarm = coalesce(try(var.alarms[k].datapoints_to_alarm, null), 1)
    treat_missing_data  = coalesce(try(var.alarms[k].treat_missing_data, null), "notBreaching")
    runbook             = coalesce(try(var.alarms[k].runbook_url, null), "${var.runbook_url}#${k}")
    metric              = sig.metric
  } }
  alarms = var.create ? merge([for kind, st in local.settings : {
    for severity, threshold in st.thresholds : "${kind}-${severity}" => {
      kind      = kind
      severity  = severity
      threshold = threshold
      st        = st
    }
  } if st.enabled]...) : {}
  severities_used = toset([for a in values(local.alarms) : a.severity])

  # 3600 -> "1 h": how durations read in the alarm descriptions.
  durations = merge(local.settings.age.thresholds, { retention = var.message_retention_seconds })
  duration_text = { for k, t in local.durations : k => (
    t % 86400 == 0 ? "${t / 86400} d" : t % 3600 == 0 ? "${t / 3600} h" : t % 60 == 0 ? "${t / 60} min" : "${t} s"
  ) }
}

# -- the key (unless one is given: the composition's environment key) ------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  name_prefix        = var.name_prefix
  name               = "${var.name}-queues"
  description        = "Encrypts the ${local.source_queue_name} queues (SQS)"
  publisher_services = ["events.amazonaws.com", "sns.amazonaws.com"] # dead-lettering rules and subscriptions
  via_services       = ["sqs"]                                       # producers and consumers with an IAM policy naming the key

  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = var.tags
}

# -- queue policies -------------------------------------------------------------------------------------

data "aws_iam_policy_document" "dlq" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = length(local.event_rule_senders) > 0 ? [1] : []
    content {
      sid       = "EventBridgeRulesDeadLetterHere"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [local.dlq_arn]

      principals {
        type        = "Service"
        identifiers = ["events.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = local.event_rule_senders
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.topic_senders) > 0 ? [1] : []
    content {
      sid       = "SnsTopicsDeadLetterHere"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [local.dlq_arn]

      principals {
        type        = "Service"
        identifiers = ["sns.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = local.topic_senders
      }
    }
  }

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = local.tls_actions
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

data "aws_iam_policy_document" "source" {
  count = local.create_source ? 1 : 0

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = local.tls_actions
    resources = [local.source_queue_arn]

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

# -- the queues -----------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  count = var.create ? 1 : 0

  name                      = local.dlq_name
  message_retention_seconds = var.message_retention_seconds
  kms_master_key_id         = local.kms_key_arn
  # the argument, not aws_sqs_queue_redrive_allow_policy (whose destroy hangs on LocalStack)
  redrive_allow_policy = local.redrive_allow_policy
  policy               = data.aws_iam_policy_document.dlq[0].json
  tags                 = merge(var.tags, { Role = "dead-letter-queue" })
}

resource "aws_sqs_queue" "source" {
  count = local.create_source ? 1 : 0

  name                       = local.source_queue_name
  visibility_timeout_seconds = var.source_visibility_timeout_seconds
  message_retention_seconds  = var.source_message_retention_seconds
  kms_master_key_id          = local.kms_key_arn
  # SQS checks that the dead-letter target exists: this reference orders the two creations
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[0].arn
    maxReceiveCount     = var.max_receive_count
  })
  policy = data.aws_iam_policy_document.source[0].json
  tags   = merge(var.tags, { Role = "source-queue" })
}

# -- alarms ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name = "${local.dlq_name}-${each.key}"
  alarm_description = each.value.kind == "depth" ? join("", [
    "${title(each.value.severity)}: ${each.value.threshold} or more messages are waiting in the dead-letter queue ${local.dlq_name}",
    " (records or events that failed processing). Runbook: ${each.value.st.runbook}",
    ]) : join("", [
    "${title(each.value.severity)}: the oldest message in the dead-letter queue ${local.dlq_name} has waited ${local.duration_text[each.value.severity]} or more",
    " (messages are deleted ${local.duration_text["retention"]} after they were first sent). Runbook: ${each.value.st.runbook}",
  ])

  namespace   = "AWS/SQS"
  metric_name = each.value.st.metric
  # the name, not the queue's attribute: the alarms are created while the provider waits on the queue
  dimensions = { QueueName = local.dlq_name }
  statistic  = "Maximum"

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
