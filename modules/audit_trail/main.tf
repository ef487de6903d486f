# The audit trail: the jobs' audit events (JSON lines, docs/metrics.md) in an encrypted, versioned,
# TLS-only, private S3 bucket; a Glue catalog database with one table per event kind, partition-projected on
# year/month/day (no crawler); and an Athena workgroup (encrypted results, enforced settings, a scan cutoff)
# holding the monitoring guide's queries, written in Athena's SQL, as named queries.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  bucket         = coalesce(var.bucket_name, "${var.name_prefix}-audit-${local.account}")
  bucket_arn     = "arn:${local.partition}:s3:::${local.bucket}"
  results_prefix = "athena-results"
  kms_key_arn    = var.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn

  # The tables: their columns are the contract's fields (schemas/*.json, read by the tests as well).
  tables = var.create ? {
    for t in ["job_events", "data_quality_events"] : t => jsondecode(file("${path.module}/schemas/${t}.json"))
  } : {}

  # The monitoring guide's queries, in Athena's (Trino) dialect: queries/*.sql, run by the tests in DuckDB.
  queries = {
    job_success_rate     = "Job success rate per day and job, last 7 days"
    data_volume_trends   = "Records loaded per hour and job (avg/min/max), last 24 hours"
    weekly_quality_trend = "Data quality score per week and job (avg/min/stddev), last 30 days"
  }

  tags = merge(var.tags, { Module = "audit_trail" }) # also the tag moto's Athena needs on a workgroup
}

# -- the key (unless one is given: the composition's environment key) ------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = var.create && var.create_kms_key ? 1 : 0

  name_prefix        = var.name_prefix
  name               = "audit"
  description        = "${var.name_prefix}: audit trail (S3 events, Athena results)"
  publisher_services = []
  via_services       = ["s3"] # the writers and readers (writer_policy_json, reader_policy_json) reach it through S3

  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = local.tags
}

# v0.1 had the key here: it moves into module.kms_key (and, in the composition, becomes the environment's
# key), so the audit events it encrypted stay readable by the roles the key's policy names. Its alias is
# forgotten (it stays, on the same key); the new alias has another name.
moved {
  from = aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this[0]
}

removed {
  from = aws_kms_alias.this

  lifecycle {
    destroy = false
  }
}

# -- the bucket -----------------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  count = var.create ? 1 : 0

  #checkov:skip=CKV_AWS_18:access logs need a second bucket; CloudTrail data events are the audit of the audit trail
  #checkov:skip=CKV_AWS_144:cross-region replication is a disaster-recovery choice of the environment, not of this module
  #checkov:skip=CKV2_AWS_62:nothing consumes object events: the tables read the objects through partition projection
  # The next four are set by the aws_s3_bucket_* resources below; checkov 3.1 does not follow their count-indexed
  # reference (aws_s3_bucket.this[0]); tests/modules/test_audit_trail.py checks them on the applied bucket.
  #checkov:skip=CKV2_AWS_6:the public access block is aws_s3_bucket_public_access_block.this
  #checkov:skip=CKV2_AWS_61:the lifecycle is aws_s3_bucket_lifecycle_configuration.this
  #checkov:skip=CKV_AWS_21:versioning is aws_s3_bucket_versioning.this
  #checkov:skip=CKV_AWS_145:KMS default encryption is aws_s3_bucket_server_side_encryption_configuration.this
  bucket        = local.bucket
  force_destroy = var.force_destroy
  tags          = local.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    object_ownership = "BucketOwnerEnforced" # no ACLs: the bucket policy and IAM decide
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = var.create ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true # one KMS call per bucket key, not per object
  }
}

data "aws_iam_policy_document" "bucket" {
  count = var.create ? 1 : 0

  statement {
    # Security Hub S3.5 / the Config rule s3-bucket-ssl-requests-only want a Deny of s3:*: a deny has to
    # cover every action, unlike the grants, which are all named.
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  # Stated, as S3 applies it by default (objects under 128 KB do not transition). The provider waits ~55 s
  # after every create or change (10 s, then 10 identical reads 5 s apart: S3 is eventually consistent);
  # no argument shortens that.
  transition_default_minimum_object_size = "all_storage_classes_128K"

  rule {
    id     = "audit-events"
    status = "Enabled"
    filter {
      prefix = "${var.events_prefix}/"
    }
    dynamic "transition" {
      for_each = var.transitions
      content {
        days          = transition.value
        storage_class = transition.key
      }
    }
    expiration {
      days = var.expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "athena-results"
    status = "Enabled"
    filter {
      prefix = "${local.results_prefix}/"
    }
    expiration {
      days = var.athena_results_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expired-delete-markers"
    status = "Enabled"
    filter {}
    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# -- the catalog ----------------------------------------------------------------------------------------

resource "aws_glue_catalog_database" "this" {
  count = var.create ? 1 : 0

  name         = var.database_name
  description  = "${var.name_prefix} audit trail: the Glue jobs' audit events (docs/metrics.md)"
  location_uri = "s3://${local.bucket}/${var.events_prefix}/"
  tags         = local.tags
}

resource "aws_glue_catalog_table" "this" {
  for_each = local.tables

  name          = each.key
  database_name = aws_glue_catalog_database.this[0].name
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL                    = "TRUE"
    classification              = "json"
    "projection.enabled"        = "true"
    "projection.year.type"      = "integer"
    "projection.year.range"     = "${var.partition_years.from},${var.partition_years.to}"
    "projection.month.type"     = "integer"
    "projection.month.range"    = "1,12"
    "projection.month.digits"   = "2"
    "projection.day.type"       = "integer"
    "projection.day.range"      = "1,31"
    "projection.day.digits"     = "2"
    "storage.location.template" = "s3://${local.bucket}/${var.events_prefix}/${each.key}/year=$${year}/month=$${month}/day=$${day}/"
  }

  partition_keys {
    name    = "year"
    type    = "string"
    comment = "YYYY (UTC) of the event"
  }
  partition_keys {
    name    = "month"
    type    = "string"
    comment = "MM, zero-padded"
  }
  partition_keys {
    name    = "day"
    type    = "string"
    comment = "DD, zero-padded"
  }

  storage_descriptor {
    location      = "s3://${local.bucket}/${var.events_prefix}/${each.key}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "json-lines"
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters = {
        "case.insensitive"      = "TRUE"
        "ignore.malformed.json" = "FALSE" # a broken line fails the query instead of reading as NULLs
      }
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }
}

# -- Athena ---------------------------------------------------------------------------------------------

resource "aws_athena_workgroup" "this" {
  count = var.create ? 1 : 0

  name          = "${var.name_prefix}-audit"
  description   = "${var.name_prefix} audit trail queries"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3" # the queries are Trino SQL
    }

    result_configuration {
      output_location = "s3://${local.bucket}/${local.results_prefix}/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = local.kms_key_arn
      }
    }
  }

  tags = local.tags
}

resource "aws_athena_named_query" "this" {
  for_each = var.create && var.create_athena_named_queries ? local.queries : {}

  name        = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description = each.value
  workgroup   = aws_athena_workgroup.this[0].name
  database    = aws_glue_catalog_database.this[0].name
  query       = file("${path.module}/queries/${each.key}.sql")
}

# -- who may write and read (policies for the callers' roles) --------------------------------------------

data "aws_iam_policy_document" "writer" {
  count = var.create ? 1 : 0

  statement {
    sid       = "WriteAuditEvents"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/${var.events_prefix}/*"]
  }

  statement {
    sid       = "EncryptAuditEvents"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "reader" {
  count = var.create ? 1 : 0

  statement {
    sid = "RunAuditQueries"
    actions = [
      "athena:BatchGetNamedQuery", "athena:GetNamedQuery", "athena:GetQueryExecution", "athena:GetQueryResults",
      "athena:GetWorkGroup", "athena:ListNamedQueries", "athena:ListQueryExecutions", "athena:StartQueryExecution",
      "athena:StopQueryExecution",
    ]
    resources = [aws_athena_workgroup.this[0].arn]
  }

  statement {
    sid     = "ReadAuditCatalog"
    actions = ["glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"]
    resources = [
      "arn:${local.partition}:glue:${data.aws_region.current.name}:${local.account}:catalog",
      "arn:${local.partition}:glue:${data.aws_region.current.name}:${local.account}:database/${var.database_name}",
      "arn:${local.partition}:glue:${data.aws_region.current.name}:${local.account}:table/${var.database_name}/*",
    ]
  }

  statement {
    sid       = "ListAuditBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [local.bucket_arn]
  }

  statement {
    sid       = "ReadAuditEvents"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${var.events_prefix}/*", "${local.bucket_arn}/${local.results_prefix}/*"]
  }

  statement {
    sid       = "WriteQueryResults"
    actions   = ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"]
    resources = ["${local.bucket_arn}/${local.results_prefix}/*"]
  }

  statement {
    sid       = "UseAuditKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]
  }
}
