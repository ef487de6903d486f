# The business audit trail the jobs write (S3, Glue catalog, Athena) and the X-Ray groups of the pipelines.

module "audit_trail" {
  source = "../audit_trail"

  create                         = var.create
  name_prefix                    = local.name_prefix
  database_name                  = "audit_trail_${replace(var.environment, "-", "_")}"
  expiration_days                = var.audit_retention_days
  force_destroy                  = var.force_destroy_audit_bucket
  create_kms_key                 = false
  kms_key_arn                    = local.kms_key_arn
  bytes_scanned_cutoff_per_query = var.audit_bytes_scanned_cutoff
  create_athena_named_queries    = var.aws_only_features
  tags                           = local.tags
}

locals {
  pipelines = length(var.pipelines) > 0 ? var.pipelines : (length(var.jobs) > 0 ? { (var.environment) = keys(var.jobs) } : {})
}

module "tracing" {
  source = "../tracing"

  create                     = var.create
  name_prefix                = local.name_prefix
  kms_key_arn                = local.kms_key_arn
  alarm_topic_arns           = module.notifications.topic_arns
  pipelines                  = { for name, keys in local.pipelines : name => { job_names = [for k in keys : local.glue_job_names[k]] } }
  create_xray_sampling_rules = var.aws_only_features
  create_xray_groups         = var.aws_only_features
  # one setting per account and region
  create_xray_encryption_config = var.aws_only_features && var.owns_account_resources
  tags                          = local.tags
}
