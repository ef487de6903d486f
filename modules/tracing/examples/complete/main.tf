# Tracing for three pipelines: sampling rules for the Lambdas and the jobs, one X-Ray group per pipeline
# (one filtered on its jobs' names, one with its own expression, one without insights), the traces
# encrypted with the project's key, insight events to the warning topic, and a job role with the policy.
locals {
  name = "ex-tracing-complete"
}

module "tracing" {
  source = "../../"

  name_prefix = local.name
  kms_key_arn = aws_kms_key.project.arn

  sampling_rules = {
    lambdas = { priority = 100, fixed_rate = 0.05, reservoir_size = 1, service_type = "AWS::Lambda::Function" }
    jobs    = { priority = 200, fixed_rate = 1, reservoir_size = 1, attributes = { team = "data" } }
  }
  pipelines = {
    orders = { job_names = ["ex-orders-extract", "ex-orders-load"] }
    customers = {
      filter_expression = "annotation.job_name = \"customer_import\" AND (fault = true OR responsetime > 5)"
    }
    backfill = { job_names = ["ex-backfill"], insights_enabled = false, notifications_enabled = false }
  }
  alarm_topic_arns = { warning = aws_sns_topic.warning.arn }

  create_xray_sampling_rules    = var.create_xray_sampling_rules
  create_xray_groups            = var.create_xray_groups
  create_xray_encryption_config = var.create_xray_encryption_config
  tags                          = { Example = local.name }
}

variable "create_xray_sampling_rules" {
  description = "Create the sampling rules (the AWS emulators cannot)."
  type        = bool
  default     = true
}

variable "create_xray_groups" {
  description = "Create the X-Ray groups (the AWS emulators cannot)."
  type        = bool
  default     = true
}

variable "create_xray_encryption_config" {
  description = "Set the X-Ray encryption (the AWS emulators cannot)."
  type        = bool
  default     = true
}

# A Glue job role that sends traces with the module's least-privilege policy.
data "aws_iam_policy_document" "glue_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "job" {
  name               = "${local.name}-job"
  assume_role_policy = data.aws_iam_policy_document.glue_assume.json
}

resource "aws_iam_role_policy" "job_traces" {
  name   = "send-traces"
  role   = aws_iam_role.job.id
  policy = module.tracing.job_policy_json
}

# -- Stand-ins for modules/notifications: the project's key and the warning topic, which EventBridge may
#    publish to (this account, this rule only). --------------------------------------------------------

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
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
    sid = "EventBridgePublishes"
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
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

resource "aws_kms_key" "project" {
  description             = "${local.name}: project key (traces, alert topics)"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_sns_topic" "warning" {
  name              = "${local.name}-warning"
  kms_master_key_id = aws_kms_key.project.arn
}

data "aws_iam_policy_document" "warning" {
  statement {
    sid = "InsightsRulePublishes"
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.warning.arn]
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [module.tracing.insights_rule_arn]
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
    resources = [aws_sns_topic.warning.arn]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "warning" {
  arn    = aws_sns_topic.warning.arn
  policy = data.aws_iam_policy_document.warning.json
}
