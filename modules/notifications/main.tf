# Alert topics, one per severity, encrypted with a customer-managed KMS key (modules/kms_key) that the AWS
# services which raise alerts (CloudWatch alarms, EventBridge rules, Budgets, Cost Anomaly Detection) may use.
# The AWS-managed alias/aws/sns key cannot be used for this: its policy cannot be changed, so those
# services' publishes fail silently.

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
  # Also read by the validation of var.subscriptions: the protocols and the endpoint each one takes.
  endpoint_patterns = {
    email        = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
    "email-json" = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
    https        = "^https://[^\\s/]+(/\\S*)?$"
    sqs          = "^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$"
    lambda       = "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
  }

  account_id = try(data.aws_caller_identity.current[0].account_id, "")
  partition  = try(data.aws_partition.current[0].partition, "aws")
  region     = try(data.aws_region.current[0].name, "")
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"

  create_kms_key = var.create && var.create_kms_key
  kms_key_arn    = local.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn
  topics         = var.create ? toset(var.severities) : toset([])

  # Topic management for the owning account, every action named (the topic's default policy, minus "*").
  topic_owner_actions = [
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:Publish",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
  ]
}

# -- the key (unless one is given: the composition's environment key) ------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  name_prefix        = var.name_prefix
  name               = "alert-topics"
  description        = "Encrypts the ${var.name_prefix} alert topics (SNS)"
  publisher_services = var.publisher_services
  via_services       = ["sns"] # publishers with an IAM policy naming the key (e.g. a Lambda) publish through SNS
  user_role_arns     = var.kms_key_user_arns

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

# -- the topics -----------------------------------------------------------------------------------------

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = "${var.name_prefix}-${each.key}"
  display_name      = "${var.name_prefix} ${each.key} alerts"
  kms_master_key_id = local.kms_key_arn
  signature_version = 2 # SHA256-signed deliveries, for https subscribers that verify them
  tags              = merge(var.tags, { Severity = each.key })
}

data "aws_iam_policy_document" "topic" {
  for_each = local.topics

  statement {
    sid       = "OwnerManagesTheTopic"
    effect    = "Allow"
    actions   = local.topic_owner_actions
    resources = [aws_sns_topic.this[each.key].arn]

    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.publisher_services) > 0 ? [1] : []
    content {
      sid       = "PublisherServicesPublish"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this[each.key].arn]

      principals {
        type        = "Service"
        identifiers = var.publisher_services
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  statement {
    sid       = "DenyPublishWithoutTls"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[each.key].arn]

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

resource "aws_sns_topic_policy" "this" {
  for_each = local.topics

  arn    = aws_sns_topic.this[each.key].arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}

# -- who hears them -------------------------------------------------------------------------------------

resource "aws_sns_topic_subscription" "this" {
  for_each = var.create ? var.subscriptions : {}

  topic_arn            = aws_sns_topic.this[each.value.severity].arn
  protocol             = each.value.protocol
  endpoint             = each.value.endpoint
  raw_message_delivery = each.value.raw_message_delivery
  filter_policy        = each.value.filter_policy
}
