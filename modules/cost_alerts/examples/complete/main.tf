# Every cost alert of the module: the four budgets, billing alarms per service and in total, and Cost
# Anomaly Detection with an absolute-or-percentage threshold.
terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.80, < 6.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}

locals {
  name = "ex-cost-alerts-complete"
}

module "cost_alerts" {
  source = "../../"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix       = local.name
  monthly_limit_usd = 100
  alarm_topic_arns  = { for k, t in aws_sns_topic.severity : k => t.arn }

  budgets = {
    glue_cost      = {}
    glue_dpu_hours = { limit = 200 }
    s3_storage     = { limit = 20 }
    api_gateway = {
      limit = 10
      thresholds = [
        { threshold = 90, type = "ACTUAL", severity = "warning" },
        { threshold = 150, type = "FORECASTED", severity = "info" },
      ]
    }
  }
  alarms = {
    total    = { thresholds = { warning = 80, critical = 100 } }
    AmazonS3 = { thresholds = { info = 20 } }
  }
  alarm_period_seconds      = 10
  anomaly_threshold_usd     = 25
  anomaly_threshold_percent = 20

  create_budgets           = var.create_budgets
  create_anomaly_detection = var.create_anomaly_detection
  tags                     = { Example = local.name }
}

variable "create_budgets" {
  description = "Create the budgets (the AWS emulators cannot)."
  type        = bool
  default     = true
}

variable "create_anomaly_detection" {
  description = "Create the Cost Anomaly Detection monitor and subscription (the AWS emulators cannot)."
  type        = bool
  default     = true
}

# -- Stand-ins for modules/notifications: a customer-managed key and the three severity topics, whose
#    policies let CloudWatch, Budgets and Cost Anomaly Detection publish (scoped to this account). --------

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account    = data.aws_caller_identity.current.account_id
  publishers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"]
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a key policy's Resource "*" is the key itself
  #checkov:skip=CKV_AWS_111:a key policy's Resource "*" is the key itself
  #checkov:skip=CKV_AWS_356:a key policy's Resource "*" is the key itself
  statement {
    sid = "AccountAdministers"
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account}:root"]
    }
    actions = [
      "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
      "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
      "kms:Encrypt", "kms:GenerateDataKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases",
      "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RetireGrant",
      "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["*"]
  }
  statement {
    sid = "AlertServicesPublish"
    principals {
      type        = "Service"
      identifiers = local.publishers
    }
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_kms_key" "topics" {
  description             = "${local.name}: alert topics"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_sns_topic" "severity" {
  for_each = toset(["critical", "warning", "info"])

  name              = "${local.name}-${each.key}"
  kms_master_key_id = aws_kms_key.topics.arn
}

data "aws_iam_policy_document" "topic" {
  for_each = aws_sns_topic.severity

  statement {
    sid = "AlertServicesPublish"
    principals {
      type        = "Service"
      identifiers = local.publishers
    }
    actions   = ["sns:Publish"]
    resources = [each.value.arn]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
  statement {
    sid    = "TlsOnly"
    effect = "Deny"
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    actions   = ["sns:Publish"]
    resources = [each.value.arn]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "severity" {
  for_each = aws_sns_topic.severity

  arn    = each.value.arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}
