# The whole stack with its defaults, as another team would start with it.
module "etl_monitoring" {
  source = "../../"

  environment                     = "ex"
  name_prefix                     = "ex-etl-monitoring-minimal"
  create_query_definitions        = var.create_query_definitions
  kms_key_deletion_window_in_days = 7
}

variable "create_query_definitions" {
  description = "Save the Logs Insights queries (the AWS emulators cannot)."
  type        = bool
  default     = true
}
