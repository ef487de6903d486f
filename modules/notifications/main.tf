# Alert topics, one per severity, encrypted with a customer-managed KMS key that the AWS services which
# raise alerts (CloudWatch alarms, EventBridge rules, Budgets, Cost Anomaly Detection) are allowed to use.
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
  kms_key_arn    = local.create_kms_key ? try(aws_kms_key.this[0].arn, null) : var.kms_key_arn
  topics         = var.create ? toset(var.severities) : toset([])

  # Key administration for the account's IAM principals, every action named (no kms:*). Using the key to
  # encrypt or decrypt is not in this list: only the publisher services and kms_key_user_arns may.
  kms_admin_actions = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
  ]

  # What a publisher needs on the key of an encrypted topic.
  kms_publish_actions = ["kms:Decrypt", "kms:GenerateDataKey"]

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

# -- the key --------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:a key policy: Resource "*" is this key only, and PutKeyPolicy is key administration by the owning account
  #checkov:skip=CKV_AWS_111:a key policy: Resource "*" is this key only; the writers are named principals or conditioned services
  #checkov:skip=CKV_AWS_356:a key policy: Resource "*" is this key only (a key policy cannot name its own ARN before the key exists)
  count = local.create_kms_key ? 1 : 0

  statement {
    sid       = "AccountAdministersTheKey"
    effect    = "Allow"
    actions   = local.kms_admin_actions
    resources = ["*"] # in a key policy, "*" is this key

    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.publisher_services) > 0 ? [1] : []
    content {
      sid       = "PublisherServicesEncryptAlerts"
      effect    = "Allow"
      actions   = local.kms_publish_actions
      resources = ["*"]

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

  dynamic "statement" {
    for_each = length(var.kms_key_user_arns) > 0 ? [1] : []
    content {
      sid       = "PublishersEncryptAlerts"
      effect    = "Allow"
      actions   = local.kms_publish_actions
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_user_arns
      }
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Encrypts the ${var.name_prefix} alert topics (SNS)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name_prefix}-alerts"
  target_key_id = aws_kms_key.this[0].key_id
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
