# One customer-managed key for everything an environment encrypts: the alert topics, the queues, the log
# groups, the audit bucket, the Lambdas' settings and the traces. Its policy names what may use it and how:
#   - the account administers it (every action named, none of them encrypts or decrypts);
#   - the account's IAM principals use it only through the environment's services (kms:ViaService), and
#     only as far as their own IAM policies allow (the roles' policies name this key);
#   - the AWS services that publish alerts (CloudWatch alarms, EventBridge, Budgets, Cost Anomaly Detection,
#     SNS deliveries) encrypt with it for this account only (aws:SourceAccount);
#   - CloudWatch Logs encrypts with it only the log groups named in log_group_names (encryption context).
# The AWS-managed keys (alias/aws/sns, alias/aws/sqs) cannot be used instead: their policies cannot admit
# CloudWatch or Budgets, whose publishes then fail silently.

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

  admin_actions = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
  ]
  # what a service needs to write and read what it encrypted (CreateGrant: Lambda and X-Ray use grants)
  use_actions     = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
  publish_actions = ["kms:Decrypt", "kms:GenerateDataKey"]
  logs_actions = [
    "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom", "kms:ReEncryptTo",
  ]
  log_group_arns = [for n in var.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${n}"]
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_109:a key policy: Resource "*" is this key only, and PutKeyPolicy is key administration by the owning account
  #checkov:skip=CKV_AWS_111:a key policy: Resource "*" is this key only; its users are conditioned services and the account's principals through named services
  #checkov:skip=CKV_AWS_356:a key policy: Resource "*" is this key only (a key policy cannot name its own ARN before the key exists)
  count = var.create ? 1 : 0

  statement {
    sid       = "AccountAdministersTheKey"
    effect    = "Allow"
    actions   = local.admin_actions
    resources = ["*"] # in a key policy, "*" is this key

    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.via_services) > 0 ? [1] : []
    content {
      sid       = "AccountPrincipalsUseTheKeyThroughTheEnvironmentsServices"
      effect    = "Allow"
      actions   = local.use_actions
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = [local.root_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [for s in var.via_services : "${s}.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.publisher_services) > 0 ? [1] : []
    content {
      sid       = "AwsServicesPublishAlertsForThisAccount"
      effect    = "Allow"
      actions   = local.publish_actions
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
    for_each = length(var.log_group_names) > 0 ? [1] : []
    content {
      sid       = "CloudWatchLogsEncryptsTheEnvironmentsLogGroups"
      effect    = "Allow"
      actions   = local.logs_actions
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      # CloudWatch Logs names the log group in the encryption context: the key serves these groups only
      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = local.log_group_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.user_role_arns) > 0 ? [1] : []
    content {
      sid       = "NamedRolesUseTheKey"
      effect    = "Allow"
      actions   = local.publish_actions
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.user_role_arns
      }
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.create ? 1 : 0

  description             = coalesce(var.description, "${var.name_prefix}: everything the environment's monitoring encrypts")
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.this[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.create ? 1 : 0

  name          = var.name == null ? "alias/${var.name_prefix}" : "alias/${var.name_prefix}-${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}
