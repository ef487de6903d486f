# The prod environment: settings and module calls only (see modules/etl_monitoring).
module "monitoring" {
  source = "../../modules/etl_monitoring"

  environment                     = "prod"
  alert_subscriptions             = var.alert_subscriptions
  alarm_period_seconds            = var.alarm_period_seconds
  create_query_definitions        = var.create_query_definitions
  kms_key_deletion_window_in_days = 30
}
