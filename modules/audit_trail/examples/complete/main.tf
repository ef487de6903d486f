# The audit trail with its own key, transitions to cheaper storage, a tight scan cutoff, and the policies
# of its writers (a Glue job role) and readers (a managed policy for the people who run the queries).
locals {
  name = "ex-audit-trail-complete"
}

module "audit_trail" {
  source = "../../"

  name_prefix                        = local.name
  database_name                      = "ex_audit_trail_complete"
  events_prefix                      = "audit/v1"
  kms_key_deletion_window_in_days    = 7
  force_destroy                      = true # an example: destroy removes the events too
  expiration_days                    = 400
  noncurrent_version_expiration_days = 30
  transitions                        = { STANDARD_IA = 30, GLACIER_IR = 90 }
  athena_results_expiration_days     = 7
  bytes_scanned_cutoff_per_query     = 1073741824 # 1 GiB

  create_athena_named_queries = var.create_athena_named_queries
  tags                        = { Example = local.name }
}

variable "create_athena_named_queries" {
  description = "Save the named queries (moto cannot delete them)."
  type        = bool
  default     = true
}

data "aws_caller_identity" "current" {}

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
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "job" {
  name               = "${local.name}-job"
  assume_role_policy = data.aws_iam_policy_document.glue_assume.json
}

resource "aws_iam_role_policy" "job_audit" {
  name   = "write-audit-events"
  role   = aws_iam_role.job.id
  policy = module.audit_trail.writer_policy_json
}

resource "aws_iam_policy" "reader" {
  name        = "${local.name}-reader"
  description = "Run the audit queries of ${local.name}"
  policy      = module.audit_trail.reader_policy_json
}
