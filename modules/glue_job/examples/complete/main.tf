# The framework's example job, customer_import (glue_jobs/examples/customer_import.py), as a Glue 5.0 job wired
# the way an environment wires it. The fixtures stand in for what the environment's modules own: the
# environment's KMS key, the artifacts bucket and the dead-letter queue, encrypted with that key. The log
# groups (log_groups module), the audit bucket (audit_trail module) and the data lake are only named: the
# role's statements point at them, and nothing runs the job here.
#
# The package comes from `make glue-package` (build/glue/glue_jobs.zip). Without it the example creates only
# its fixtures and says so in its `built` output, so one missing build step does not break the examples
# bundle; tests/modules/test_glue_job.py then fails on the missing job.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name_prefix = "ex-glue-job-complete"
  checkout    = "${path.module}/../../../.."
  script      = "${local.checkout}/glue_jobs/examples/customer_import.py"
  package     = "${local.checkout}/build/glue/glue_jobs.zip"
  built       = fileexists(local.script) && fileexists(local.package)
  arn         = "arn:${data.aws_partition.current.partition}"
  root_arn    = "${local.arn}:iam::${data.aws_caller_identity.current.account_id}:root"
  lake        = "s3://${var.data_lake_bucket}"
}

# -- fixtures: the environment's key, the artifacts bucket, the dead-letter queue -----------------------

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a key policy: Resource "*" is this key, administered by its own account
  #checkov:skip=CKV_AWS_111:a key policy: Resource "*" is this key; its users are the account's IAM principals (the job's role by its IAM policy)
  #checkov:skip=CKV_AWS_356:a key policy: Resource "*" is this key (a key policy cannot name its own ARN)
  statement {
    sid = "AccountAdministersAndDelegatesToIam" # the job's role gets Decrypt/GenerateDataKey from its IAM policy
    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
    actions = [
      "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Decrypt", "kms:DeleteAlias", "kms:DescribeKey",
      "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt",
      "kms:GenerateDataKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases",
      "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource",
      "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
    ]
    resources = ["*"]
  }
}

resource "aws_kms_key" "environment" {
  description             = "${local.name_prefix}: stand-in for the environment's key (artifacts, dead-letter queue)"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_18:an example fixture: access logs would need a second bucket
  #checkov:skip=CKV_AWS_21:an example fixture: the job's code is rebuilt from git, not restored from object versions
  #checkov:skip=CKV_AWS_144:an example fixture: no cross-region replication
  #checkov:skip=CKV2_AWS_61:an example fixture: a lifecycle configuration costs the apply a ~55 s provider wait
  #checkov:skip=CKV2_AWS_62:an example fixture: nothing consumes object events
  bucket        = var.artifacts_bucket
  force_destroy = true
  tags          = var.tags
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.environment.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "artifacts_tls" {
  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]

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

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = data.aws_iam_policy_document.artifacts_tls.json

  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

data "aws_iam_policy_document" "dlq_tls" {
  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["sqs:ReceiveMessage", "sqs:SendMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = ["${local.arn}:sqs:us-east-1:${data.aws_caller_identity.current.account_id}:${local.name_prefix}-records-dlq"]

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
  name                      = "${local.name_prefix}-records-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.environment.arn
  policy                    = data.aws_iam_policy_document.dlq_tls.json
  tags                      = var.tags
}

# -- the job --------------------------------------------------------------------------------------------

module "customer_import" {
  source = "../../"

  create       = local.built
  name_prefix  = local.name_prefix
  name         = "customer_import"
  script_path  = local.script
  package_path = local.package

  artifacts_bucket = aws_s3_bucket.artifacts.bucket # known at plan; the uploads wait for the bucket (and carry their own SSE-KMS)
  artifacts_prefix = "glue-jobs/"

  glue_version      = "5.0"
  worker_type       = "G.1X"
  number_of_workers = 2
  execution_class   = "STANDARD" # moto keeps the job only with the class set explicitly
  timeout_minutes   = 30
  max_retries       = 0 # the remediation Lambda retries failed runs
  # "Glue Job Run Status" after 20 minutes: the job usually takes a few
  notify_delay_after_minutes = 20
  max_concurrent_runs        = 1

  environment   = "dev"
  audit_uri     = "s3://${var.audit_bucket}/audit"
  dlq_queue_url = aws_sqs_queue.dlq.url
  kms_key_arn   = aws_kms_key.environment.arn

  input_uris  = ["${local.lake}/raw/customers/"]
  output_uris = ["${local.lake}/silver/customers/"]
  # the Spark UI of each run, for the Glue console or a local Spark history server
  spark_ui_event_logs_uri = "s3://${aws_s3_bucket.artifacts.bucket}/spark-events/"
  job_arguments = {
    "--input_path"             = "${local.lake}/raw/customers/"
    "--output_path"            = "${local.lake}/silver/customers/"
    "--dlq_max_inline_records" = "100"
    "--job-bookmark-option"    = "job-bookmark-disable"
  }

  # the environment's log_groups module creates <prefix>/output, <prefix>/error, <prefix>/logs-v2 and passes
  # its glue_log_group_prefix output here
  log_group_prefix = "/aws-glue/jobs/${local.name_prefix}"

  tags = var.tags
}
