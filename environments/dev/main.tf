# The dev environment: settings and module calls only (see modules/etl_monitoring).
module "monitoring" {
  source = "../../modules/etl_monitoring"

  environment                     = "dev"
  alert_subscriptions             = var.alert_subscriptions
  alarm_period_seconds            = var.alarm_period_seconds
  create_query_definitions        = var.create_query_definitions
  dlq_depth_thresholds            = { warning = 1, critical = 10 }
  kms_key_deletion_window_in_days = 7
}
