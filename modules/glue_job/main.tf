# One AWS Glue Spark ETL job that runs a job written with the project's framework (glue_jobs/): the script and
# the framework package uploaded to S3, the job with the framework's arguments and Glue's monitoring flags, and
# a role that may do what the framework and Glue do for this job and nothing else, one statement per reason.
#
# The package is built outside Terraform (`make glue-package`: deterministic, so its MD5, the objects'
# source_hash and the re-plans stay put). The log groups, the dead-letter queue, the audit bucket and the key
# belong to the environment (log_groups, dead_letter_queue, audit_trail modules): this module takes their
# names, URLs and ARNs.

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
  s3_arn     = "arn:${local.partition}:s3:::"

  # Spark ETL worker types by Glue version and the DPUs of each. Glue API reference (CreateJob, WorkerType):
  # G.1X to G.8X need Glue 3.0 or later; G.12X, G.16X and R.1X to R.8X Glue 4.0 or later, but the AWS provider
  # 5.x (pinned in versions.tf) refuses those. G.025X is for streaming jobs, Z.2X for Ray, Standard for Glue 1.0.
  worker_dpus        = { "G.1X" = 1, "G.2X" = 2, "G.4X" = 4, "G.8X" = 8 }
  spark_worker_types = ["G.1X", "G.2X", "G.4X", "G.8X"]
  worker_types_by_version = {
    "4.0" = local.spark_worker_types
    "5.0" = local.spark_worker_types
  }

  # us-east-1 list prices of Spark ETL jobs, USD per DPU-hour, billed per second with a 1-minute minimum
  # (https://aws.amazon.com/glue/pricing/).
  list_price_per_dpu_hour = { STANDARD = 0.44, FLEX = 0.29 }
  dpus                    = var.number_of_workers * lookup(local.worker_dpus, var.worker_type, 0)
  usd_per_hour            = local.dpus * coalesce(var.dpu_hour_price_usd, local.list_price_per_dpu_hour[var.execution_class])

  s3_prefix_uri_pattern = "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.'()=+,@-]+/)+$"

  job_name  = "${var.name_prefix}-${var.name}"
  role_name = length(local.job_name) <= 64 ? local.job_name : "${substr(local.job_name, 0, 55)}-${substr(sha256(local.job_name), 0, 8)}"
  glue5     = var.glue_version == "5.0"

  notify_delay = coalesce(var.notify_delay_after_minutes, max(1, floor(var.timeout_minutes * 0.8)))
  description = coalesce(var.description, join(" ", [
    "${var.name} (${var.environment}): a glue_jobs framework job.",
    var.max_retries == 0
    ? "Glue does not retry failed runs (max_retries 0): the remediation Lambda does, so a run is not retried twice."
    : "Glue retries a failed run up to ${var.max_retries} times: keep the remediation Lambda's retries off for it.",
  ]))

  # -- the uploads --------------------------------------------------------------------------------------
  artifacts_dir = "${var.artifacts_prefix}${local.job_name}"
  script_key    = "${local.artifacts_dir}/${basename(var.script_path)}"
  package_key   = "${local.artifacts_dir}/${basename(var.package_path)}"
  script_uri    = "s3://${var.artifacts_bucket}/${local.script_key}"
  package_uri   = "s3://${var.artifacts_bucket}/${local.package_key}"

  # -- the dead-letter queue: https://<host>/<account id>/<name> -> its ARN in the provider's region -------
  dlq_url_parts = split("/", var.dlq_queue_url)
  dlq_arn       = "arn:${local.partition}:sqs:${local.region}:${local.dlq_url_parts[3]}:${local.dlq_url_parts[4]}"

  # -- the audit trail: s3://<bucket>[/<prefix>] (layout: glue_jobs/audit.py) ----------------------------
  audit_bucket = regex("^s3://([^/]+)", var.audit_uri)[0]
  audit_prefix = trim(trimprefix(var.audit_uri, "s3://${local.audit_bucket}"), "/")
  audit_uri    = local.audit_prefix == "" ? "s3://${local.audit_bucket}" : "s3://${local.audit_bucket}/${local.audit_prefix}"
  audit_root   = local.audit_prefix == "" ? "" : "${local.audit_prefix}/"
  audit_arn    = "${local.s3_arn}${local.audit_bucket}/${local.audit_root}"
  # The rejected records beyond the inline ones, written by Spark (glue_jobs/rejected.py OverflowTarget)
  rejected_dir = "${local.audit_root}rejected/job_name=${local.job_name}"

  # -- logs ---------------------------------------------------------------------------------------------
  # Glue 5.0 logs in real time: stdout and stderr (the framework's JSON lines) to /aws-glue/jobs/output, the
  # rest to /aws-glue/jobs/error, or with --custom-logGroup-prefix <p> to <p>/output and <p>/error ("Logging
  # for AWS Glue jobs", https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html). Glue 4.0
  # logs continuously with --enable-continuous-cloudwatch-log true, to /aws-glue/jobs/logs-v2 or to the group
  # --continuous-log-logGroup names ("Enabling continuous logging for AWS Glue 4.0 and earlier jobs",
  # https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html).
  log_group_names = local.glue5 ? ["${var.log_group_prefix}/output", "${var.log_group_prefix}/error"] : ["${var.log_group_prefix}/logs-v2"]
  log_group_arns  = [for g in local.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${g}"]
  log_arguments = local.glue5 ? tomap({
    "--custom-logGroup-prefix" = var.log_group_prefix
    }) : tomap({
    "--enable-continuous-cloudwatch-log" = "true"
    "--continuous-log-logGroup"          = "${var.log_group_prefix}/logs-v2"
  })

  # -- the job's arguments ("Using job parameters in AWS Glue jobs",
  # https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html) ---------------
  # --enable-metrics: Glue's job metrics ("the value is not relevant ... true is recommended"), namespace Glue;
  # --enable-observability-metrics true: the observability metrics (Glue 4.0 and later), namespace Glue
  # ("Monitoring with AWS Glue Observability metrics"); --enable-job-insights true: job run insights (Glue 2.0
  # to 5.0, "Monitoring with AWS Glue job run insights"; Glue's default is true, set here so it stays on).
  monitoring_arguments = {
    "--enable-metrics"               = "true"
    "--enable-observability-metrics" = "true"
    "--enable-job-insights"          = "true"
  }
  framework_arguments = {
    "--environment"    = var.environment
    "--audit_uri"      = local.audit_uri
    "--dlq_queue_url"  = var.dlq_queue_url
    "--extra-py-files" = local.package_uri
  }
  # --enable-spark-ui true and --spark-event-logs-path <s3 folder>: Glue writes the Spark event logs there, with
  # the job's role, for the Spark history server ("Enabling the Apache Spark web UI for AWS Glue jobs").
  spark_ui        = var.spark_ui_event_logs_uri != null
  spark_ui_bucket = local.spark_ui ? regex("^s3://([^/]+)/", var.spark_ui_event_logs_uri)[0] : ""
  spark_ui_prefix = local.spark_ui ? trimprefix(var.spark_ui_event_logs_uri, "s3://${local.spark_ui_bucket}/") : ""
  spark_ui_arguments = local.spark_ui ? {
    "--enable-spark-ui"       = "true"
    "--spark-event-logs-path" = var.spark_ui_event_logs_uri
  } : {}

  default_arguments = merge(var.job_arguments, local.monitoring_arguments, local.log_arguments, local.framework_arguments, local.spark_ui_arguments)

  # Keys job_arguments may not set: the ones this module sets (both versions' log arguments), --scriptLocation
  # (it would replace the uploaded script), the ones Glue uses internally ("you should never use them":
  # --JOB_NAME, --debug, --mode, --endpoint) and the run ids Glue passes and the framework reads.
  reserved_argument_keys = sort(concat(
    ["--environment", "--audit_uri", "--dlq_queue_url", "--extra-py-files"],
    ["--enable-metrics", "--enable-observability-metrics", "--enable-job-insights", "--enable-spark-ui", "--spark-event-logs-path"],
    ["--custom-logGroup-prefix", "--enable-continuous-cloudwatch-log", "--continuous-log-logGroup"],
    ["--scriptLocation", "--JOB_NAME", "--debug", "--mode", "--endpoint"],
    ["--JOB_ID", "--JOB_RUN_ID", "--WORKFLOW_RUN_ID"],
  ))

  # -- S3 prefixes the job reads and writes -------------------------------------------------------------
  # s3://<bucket>/<prefix>/ -> the bucket, the prefix ("raw/customers/") and its stem ("raw/customers"): the key
  # Hadoop's file system probes (HEAD) before it lists a directory, and the stem of EMRFS's "<dir>_$folder$".
  inputs  = [for u in var.input_uris : { bucket = regex("^s3://([^/]+)/", u)[0], prefix = regex("^s3://[^/]+/(.*)$", u)[0] }]
  outputs = [for u in var.output_uris : { bucket = regex("^s3://([^/]+)/", u)[0], prefix = regex("^s3://[^/]+/(.*)$", u)[0] }]
  input_listing = {
    for b in distinct([for l in local.inputs : l.bucket]) : b => sort(distinct(flatten([
      for l in local.inputs : [trimsuffix(l.prefix, "/"), "${l.prefix}*"] if l.bucket == b
    ])))
  }
  output_listing = {
    for b in distinct([for l in local.outputs : l.bucket]) : b => sort(distinct(flatten([
      for l in local.outputs : [trimsuffix(l.prefix, "/"), "${l.prefix}*"] if l.bucket == b
    ])))
  }
  input_objects = sort(distinct(flatten([
    for l in local.inputs : ["${local.s3_arn}${l.bucket}/${l.prefix}*", "${local.s3_arn}${l.bucket}/${trimsuffix(l.prefix, "/")}"]
  ])))
  output_objects = sort(distinct(flatten([
    for l in local.outputs : [
      "${local.s3_arn}${l.bucket}/${l.prefix}*",
      "${local.s3_arn}${l.bucket}/${trimsuffix(l.prefix, "/")}",
      "${local.s3_arn}${l.bucket}/${trimsuffix(l.prefix, "/")}_$folder$",
    ]
  ])))

  # s3:ListBucket, one statement per bucket the job lists: Spark lists the prefixes it reads, the committer
  # what it writes and replaces, the DataFrame writer of the rejected records their folder.
  listings = merge(
    { for i, b in keys(local.input_listing) : "ListInputs${i + 1}" => { bucket = b, prefixes = local.input_listing[b] } },
    { for i, b in keys(local.output_listing) : "ListOutputs${i + 1}" => { bucket = b, prefixes = local.output_listing[b] } },
    { ListAuditRejected = { bucket = local.audit_bucket, prefixes = [local.rejected_dir, "${local.rejected_dir}/*"] } },
    local.spark_ui ? { ListSparkEventLogs = { bucket = local.spark_ui_bucket, prefixes = [trimsuffix(local.spark_ui_prefix, "/"), "${local.spark_ui_prefix}*"] } } : {},
  )
  # Objects Spark reads and writes. ReadInputs: the input objects and each prefix's stem (HEAD); WriteOutputs:
  # the writer puts, its committer reads, deletes (overwrite, _temporary) and aborts multipart uploads;
  # WriteRejectedRecords: the same for the rejected records beyond the inline ones, in this job's folder.
  spark_write_actions = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
  rejected_objects    = [for key in ["${local.rejected_dir}/*", local.rejected_dir, "${local.rejected_dir}_$folder$"] : "${local.s3_arn}${local.audit_bucket}/${key}"]
  spark_objects = {
    for sid, st in {
      ReadInputs           = { actions = ["s3:GetObject"], resources = local.input_objects }
      WriteOutputs         = { actions = local.spark_write_actions, resources = local.output_objects }
      WriteRejectedRecords = { actions = local.spark_write_actions, resources = local.rejected_objects }
      # the Spark event logs Glue writes for the Spark UI (rolled files: written, read back, replaced)
      WriteSparkEventLogs = { actions = local.spark_write_actions, resources = local.spark_ui ? ["${local.s3_arn}${local.spark_ui_bucket}/${local.spark_ui_prefix}*"] : [] }
    } : sid => st if length(st.resources) > 0
  }
}

# -- the uploads ----------------------------------------------------------------------------------------

resource "aws_s3_object" "script" {
  count = var.create ? 1 : 0

  bucket                 = var.artifacts_bucket
  key                    = local.script_key
  source                 = var.script_path
  source_hash            = filemd5(var.script_path) # a changed script is uploaded again; SSE-KMS ETags are no MD5s
  content_type           = "text/x-python"
  server_side_encryption = var.kms_key_arn == null ? null : "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

resource "aws_s3_object" "package" {
  count = var.create ? 1 : 0

  bucket                 = var.artifacts_bucket
  key                    = local.package_key
  source                 = var.package_path
  source_hash            = filemd5(var.package_path) # the package is deterministic: same sources, same MD5
  content_type           = "application/zip"
  server_side_encryption = var.kms_key_arn == null ? null : "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

# -- the role -------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  count = var.create ? 1 : 0

  statement {
    sid     = "GlueRunsTheJob"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name               = local.role_name
  description        = "Role of the Glue job ${local.job_name}: what the glue_jobs framework and Glue do for it, nothing else"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

# One statement per reason, every action named. Resource "*" only where the action takes no other:
# cloudwatch:PutMetricData (narrowed by its namespace condition) and xray:PutTraceSegments.
# ListBucket conditions are StringLikeIfExists: a GetObject or HeadObject of a key that does not exist answers
# 404 only to a caller that may list the bucket (S3 API reference, GetObject), a check that names no prefix;
# with StringLike the framework's first schema read and Hadoop's directory probes could get 403 (README).
data "aws_iam_policy_document" "role" {
  count = var.create ? 1 : 0
  #checkov:skip=CKV_AWS_356:Resource "*" only for cloudwatch:PutMetricData (limited by cloudwatch:namespace) and xray:PutTraceSegments, which have no resource-level permissions
  #checkov:skip=CKV_AWS_111:the write actions on "*" are cloudwatch:PutMetricData (namespace condition) and xray:PutTraceSegments, which take no resource ARN

  statement {
    sid       = "ReadJobCode" # Glue fetches the script (command.script_location) and --extra-py-files as the job's role
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.s3_arn}${var.artifacts_bucket}/${local.script_key}", "${local.s3_arn}${var.artifacts_bucket}/${local.package_key}"]
  }

  statement {
    sid       = "WriteOwnLogGroups" # Glue's log shipping (the driver's and executors' logs, stdout/stderr), to this job's groups only
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = concat(local.log_group_arns, [for a in local.log_group_arns : "${a}:log-stream:*"])
  }

  statement {
    sid       = "PublishFrameworkMetrics" # the framework's batched PutMetricData to Glue/ETL/<environment> (docs/metrics.md)
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource-level permission: the namespace condition narrows it

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue/ETL/${var.environment}"]
    }
  }

  statement {
    sid       = "PublishGlueMetrics" # --enable-metrics and --enable-observability-metrics publish to namespace Glue with the job's role
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }

  statement {
    sid       = "SendTraceSegments" # the framework sends X-Ray segment documents itself (no X-Ray daemon in Glue)
    effect    = "Allow"
    actions   = ["xray:PutTraceSegments"]
    resources = ["*"] # X-Ray has no resource-level permission for PutTraceSegments
  }

  statement {
    sid       = "SendRejectedRecords" # SendMessageBatch of the rejected records and the pointer message (authorised by sqs:SendMessage)
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.dlq_arn]
  }

  dynamic "statement" {
    for_each = local.listings
    content {
      sid       = statement.key # see local.listings
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = ["${local.s3_arn}${statement.value.bucket}"]

      condition {
        test     = "StringLikeIfExists"
        variable = "s3:prefix"
        values   = statement.value.prefixes
      }
    }
  }

  dynamic "statement" {
    for_each = local.spark_objects
    content {
      sid       = statement.key # see local.spark_objects
      effect    = "Allow"
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  statement {
    sid     = "WriteAuditEvents" # this job's audit events, its schema, what SQS refused, the marker of an unstored overflow
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = [
      "${local.audit_arn}job_events/*/${local.job_name}__*",
      "${local.audit_arn}data_quality_events/*/${local.job_name}__*",
      "${local.audit_arn}_schemas/${local.job_name}.json",
      "${local.audit_arn}_schemas/${local.job_name}.input.json",
      "${local.audit_arn}_dlq_unsent/${local.job_name}/*",
      "${local.audit_arn}_rejected_unstored/${local.job_name}/*",
    ]
  }

  statement {
    sid       = "ReadOwnSchema" # the last known output and input schemas (schema-change and input-drift detection)
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.audit_arn}_schemas/${local.job_name}.json", "${local.audit_arn}_schemas/${local.job_name}.input.json"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "UseEnvironmentKey" # SSE-KMS: the dead-letter queue (send), the audit trail, the data and the uploads (put, get)
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = var.create ? 1 : 0

  name   = "${local.role_name}-least-privilege"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.role[0].json
}

# -- the job --------------------------------------------------------------------------------------------

resource "aws_glue_job" "this" {
  count = var.create ? 1 : 0
  #checkov:skip=CKV_AWS_195:no security configuration: the stores encrypt with the environment's key themselves (bucket default encryption, SSE-KMS queue, KMS log groups), and a configuration's CloudWatch encryption would re-key the log groups the log_groups module owns

  name              = local.job_name
  description       = local.description
  role_arn          = aws_iam_role.this[0].arn
  glue_version      = var.glue_version
  worker_type       = var.worker_type
  number_of_workers = var.number_of_workers
  execution_class   = var.execution_class
  timeout           = var.timeout_minutes
  max_retries       = var.max_retries
  default_arguments = local.default_arguments

  command {
    name            = "glueetl"
    script_location = local.script_uri
    python_version  = "3"
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }

  notification_property {
    notify_delay_after = local.notify_delay
  }

  tags = var.tags

  # the code and the permissions are in place before a run can start
  depends_on = [aws_s3_object.script, aws_s3_object.package, aws_iam_role_policy.this]
}
