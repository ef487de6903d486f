# The business audit trail the jobs write (S3, Glue catalog, Athena) and the X-Ray groups of the pipelines.

module "audit_trail" {
  source = "../audit_trail"

  name_prefix                     = local.name_prefix
  database_name                   = "audit_trail_${replace(var.environment, "-", "_")}"
  expiration_days                 = var.audit_retention_days
  force_destroy                   = var.force_destroy_audit_bucket
  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  bytes_scanned_cutoff_per_query  = var.audit_bytes_scanned_cutoff
  create_athena_named_queries     = var.aws_only_features
  tags                            = local.tags
}

module "tracing" {
  source = "../tracing"

  name_prefix                   = local.name_prefix
  kms_key_arn                   = module.audit_trail.kms_key_arn # delegates to IAM, which X-Ray needs
  insights_topic_arn            = module.notifications.topic_arns["warning"]
  pipelines                     = { for name, jobs in local.pipelines : name => { job_names = jobs } }
  create_xray_sampling_rules    = var.aws_only_features
  create_xray_groups            = var.aws_only_features
  create_xray_encryption_config = var.aws_only_features && var.manage_xray_encryption
  tags                          = local.tags
}

locals {
  pipelines = length(var.pipelines) > 0 ? var.pipelines : (length(var.job_names) > 0 ? { (var.environment) = var.job_names } : {})
}
