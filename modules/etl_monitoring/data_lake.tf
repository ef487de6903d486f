# The data lake the jobs read and write (modules/data_lake_monitoring): S3 request metrics and error alarms per
# bucket or prefix, daily size and growth, and the job roles' Secrets Manager reads counted from the account's
# CloudTrail log group. Off until the environment names its buckets or its trail: the buckets are the team's.

locals {
  data_lake_on = var.create && (length(var.data_lake_buckets) > 0 || var.cloudtrail_log_group_name != null)
}

module "data_lake_monitoring" {
  source = "../data_lake_monitoring"

  create                    = local.data_lake_on
  name_prefix               = local.name_prefix
  environment               = var.environment
  buckets                   = var.data_lake_buckets
  cloudtrail_log_group_name = var.cloudtrail_log_group_name
  # the roles of the jobs this environment deploys, and any the caller adds
  secret_reader_role_names = distinct(concat(var.secret_reader_role_names, [for k, m in module.glue_job : m.role_name]))
  alarms                   = local.alarms_of.lake
  alarm_topic_arns         = module.notifications.topic_arns
  alarm_period_seconds     = var.alarm_period_seconds
  tags                     = local.tags
}
