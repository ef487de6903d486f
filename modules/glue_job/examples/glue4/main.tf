# Plan-only (tests/inventories/glue_job/glue4.yaml says apply: false): the example job as a Glue 4.0 job on the
# FLEX execution class. Everything it points at belongs to the environment and is named, not created: the
# artifacts bucket (so it cannot be applied alone), the audit bucket (used whole, no prefix), the dead-letter
# queue, the key and the data lake's buckets. Every ARN is known at plan, so the plan shows the whole role
# policy: Glue 4.0's continuous-logging group <prefix>/logs-v2, one listing statement per bucket, the key.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix = "ex-glue-job-glue4"
  checkout    = "${path.module}/../../../.."
  script      = "${local.checkout}/glue_jobs/examples/customer_import.py"
  package     = "${local.checkout}/build/glue/glue_jobs.zip"
  built       = fileexists(local.script) && fileexists(local.package)
  account     = data.aws_caller_identity.current.account_id
  region      = data.aws_region.current.name
}

module "customer_import" {
  source = "../../"

  create       = local.built
  name_prefix  = local.name_prefix
  name         = "customer_import"
  description  = "Raw customer JSON to validated, enriched Parquet (Glue 4.0, FLEX: a nightly load that may start late)"
  script_path  = local.script
  package_path = local.package

  artifacts_bucket = var.artifacts_bucket
  artifacts_prefix = "" # the objects are <job name>/<file name>

  glue_version      = "4.0"
  worker_type       = "G.2X"
  number_of_workers = 10
  execution_class   = "FLEX" # G.1X or G.2X only; priced at the FLEX list price (0.29 USD per DPU-hour)
  # timeout_minutes 60 and notify_delay_after_minutes 48 (80 %) by default

  environment   = "prod"
  audit_uri     = "s3://${var.audit_bucket}"
  dlq_queue_url = "https://sqs.${local.region}.amazonaws.com/${local.account}/${local.name_prefix}-records-dlq"
  kms_key_arn   = "arn:${data.aws_partition.current.partition}:kms:${local.region}:${local.account}:key/${var.kms_key_id}"

  input_uris  = ["s3://ex-glue-job-glue4-raw/customers/", "s3://ex-glue-job-glue4-raw/countries/"]
  output_uris = ["s3://ex-glue-job-glue4-lake/silver/customers/"]
  job_arguments = {
    "--input_path"  = "s3://ex-glue-job-glue4-raw/customers/"
    "--output_path" = "s3://ex-glue-job-glue4-lake/silver/customers/"
  }

  log_group_prefix = "/aws-glue/jobs/${local.name_prefix}"

  tags = var.tags
}
