# The whole monitoring of a Glue ETL environment, composed from the leaf modules. It owns no resource
# itself: each module owns one resource family, and this file only wires their outputs together.

locals {
  name_prefix = coalesce(var.name_prefix, "glue-etl-${var.environment}")
  tags        = merge({ Environment = var.environment, ManagedBy = "terraform", Project = "glue-etl-monitoring" }, var.tags)
}

module "notifications" {
  source = "../notifications"

  name_prefix                     = local.name_prefix
  subscriptions                   = var.alert_subscriptions
  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  # the Lambdas publish to the encrypted topics
  kms_key_user_arns = [module.remediation.role_arn, module.weekly_report.role_arn, module.health_check.role_arn]
  tags              = local.tags
}

module "log_groups" {
  source = "../log_groups"

  environment                     = var.environment
  name_prefix                     = local.name_prefix
  retention_in_days               = var.log_retention_in_days
  create_query_definitions        = var.aws_only_features
  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = local.tags
}

module "dead_letter_queue" {
  source = "../dead_letter_queue"

  name                   = "${local.name_prefix}-records"
  create_source_queue    = true
  depth_thresholds       = var.dlq_depth_thresholds
  age_thresholds_seconds = var.dlq_age_thresholds_seconds
  alarm_topic_arns       = module.notifications.topic_arns
  alarm_period_seconds   = var.alarm_period_seconds
  tags                   = local.tags
}
