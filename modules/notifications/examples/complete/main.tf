# Alert topics for every severity, heard by a queue (for automation), an on-call mailbox and a chat
# webhook; plus the role of a Lambda that publishes reports itself and so may use the topics' key.
locals {
  name_prefix = "ex-notify-complete"
}

data "aws_partition" "current" {}

module "notifications" {
  source = "../../"

  name_prefix                     = local.name_prefix
  kms_key_deletion_window_in_days = 7
  kms_key_user_arns               = [aws_iam_role.publisher.arn]

  subscriptions = {
    automation-critical = {
      severity = "critical"
      protocol = "sqs"
      endpoint = aws_sqs_queue.subscriber.arn
    }
    automation-warning = {
      severity             = "warning"
      protocol             = "sqs"
      endpoint             = aws_sqs_queue.subscriber.arn
      raw_message_delivery = true
    }
    oncall-email = {
      severity = "critical"
      protocol = "email"
      endpoint = "oncall@example.com"
    }
    chat-webhook = {
      severity = "warning"
      protocol = "https"
      endpoint = "https://hooks.example.com/services/glue-etl-alerts"
    }
  }

  tags = { Example = "notifications/complete" }
}

# A subscriber queue: SNS may send to it from these topics only, and only over TLS.
resource "aws_sqs_queue" "subscriber" {
  name                    = "${local.name_prefix}-subscriber"
  sqs_managed_sse_enabled = true
  policy                  = data.aws_iam_policy_document.subscriber.json
  tags                    = { Example = "notifications/complete" }
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  # The queue's own ARN, known before it exists (its policy is part of the queue: no second 25 s wait).
  subscriber_arn = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${local.name_prefix}-subscriber"
}

data "aws_iam_policy_document" "subscriber" {
  statement {
    sid       = "AlertTopicsDeliver"
    actions   = ["sqs:SendMessage"]
    resources = [local.subscriber_arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(module.notifications.topic_arns)
    }
  }

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = [local.subscriber_arn]

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

# The role of a Lambda that publishes to the topics (e.g. the weekly report): it needs the key too.
resource "aws_iam_role" "publisher" {
  name = "${local.name_prefix}-publisher"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  tags = { Example = "notifications/complete" }
}
