# A data lake of two buckets (raw, whose landing/ prefix gets metrics of its own, and curated) watched by the
# module: request metrics and error alarms per entry, a growth alarm per bucket, the dashboard, and the Glue job
# role's secret reads counted from a stand-in for the trail's log group. Alarms go to the notifications topics.
locals {
  name = "ex-dlm-complete"
  tags = { Example = "data_lake_monitoring/complete" }
}

module "notifications" {
  source = "../../../notifications"

  name_prefix                     = local.name
  kms_key_deletion_window_in_days = 7
  tags                            = local.tags
}

module "data_lake_monitoring" {
  source = "../../"

  name_prefix = local.name
  environment = "ex"
  buckets = {
    raw     = { bucket = aws_s3_bucket.lake["raw"].bucket }
    landing = { bucket = aws_s3_bucket.lake["raw"].bucket, prefix = "landing/" }
    curated = { bucket = aws_s3_bucket.lake["curated"].bucket }
  }
  error_rate_min_requests = 20

  cloudtrail_log_group_name = aws_cloudwatch_log_group.trail.name
  secret_reader_role_names  = [aws_iam_role.job.name]

  alarms = {
    server_errors        = { thresholds = { warning = 5, critical = 50 } }
    client_error_rate    = { thresholds = { warning = 10, critical = 50 } }
    storage_growth       = { thresholds = { info = 10, warning = 25 } }
    secret_access_denied = { thresholds = { critical = 1 } }
  }
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = var.alarm_period_seconds

  tags = local.tags
}

variable "alarm_period_seconds" {
  description = "Alarm period of the request and denied-read alarms: 10 s so the emulator tests see them fire in seconds. Use null (300) on AWS."
  type        = number
  default     = 10
}

# -- Stand-ins for what a data lake already has: its buckets, the trail's log group, a Glue job role ----------

resource "aws_s3_bucket" "lake" {
  #checkov:skip=CKV_AWS_18:an example fixture: access logs would need a third bucket
  #checkov:skip=CKV_AWS_21:an example fixture: nothing to restore
  #checkov:skip=CKV_AWS_144:an example fixture: no cross-region replication
  #checkov:skip=CKV_AWS_145:an example fixture: SSE-S3 keeps it free of a KMS key; the lake's buckets are the team's own
  #checkov:skip=CKV2_AWS_61:an example fixture: a lifecycle configuration costs the apply a ~55 s provider wait
  #checkov:skip=CKV2_AWS_62:an example fixture: nothing consumes object events
  #checkov:skip=CKV2_AWS_6:an example fixture: the public access block is its own resource below
  for_each = toset(["raw", "curated"])

  bucket        = "${local.name}-${each.key}"
  force_destroy = true
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "lake" {
  for_each = aws_s3_bucket.lake

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_cloudwatch_log_group" "trail" {
  #checkov:skip=CKV_AWS_158:an example fixture standing in for the trail's log group, which the trail's owner encrypts
  #checkov:skip=CKV_AWS_338:an example fixture: one day is enough for the tests
  name              = "${local.name}-cloudtrail"
  retention_in_days = 1
  tags              = local.tags
}

resource "aws_iam_role" "job" {
  name = "${local.name}-job"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "glue.amazonaws.com" } }]
  })
  tags = local.tags
}
