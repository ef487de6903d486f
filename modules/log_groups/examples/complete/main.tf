# The log groups of an environment's Glue jobs: Glue 5.0 jobs started with --custom-logGroup-prefix
# /ex-log-groups-complete/aws-glue/jobs write to <prefix>/output and <prefix>/error, Glue 4.0 jobs with
# --continuous-log-logGroup <prefix>/logs-v2 there, apart from another environment's jobs in the same
# account; a Lambda's log group, and one metric filter more than the contract's three.
# (An INFREQUENT_ACCESS group is not applied here: LocalStack stores every group as STANDARD, so it would
# re-plan as a replacement. The negative tests cover that class.)
module "log_groups" {
  source = "../../"

  environment                     = "staging"
  name_prefix                     = "ex-log-groups-complete"
  glue_log_group_prefix           = "/ex-log-groups-complete/aws-glue/jobs"
  kms_key_deletion_window_in_days = 7
  create_query_definitions        = var.create_query_definitions

  extra_log_groups = {
    "/ex-log-groups-complete/lambda/remediation" = { retention_in_days = 14 }
  }

  extra_metric_filters = {
    ErrorLogLines = { pattern = "{ $.level = \"error\" }" }
  }

  tags = { Example = "log_groups/complete" }
}

variable "create_query_definitions" {
  description = "Save the Logs Insights queries (the AWS emulators cannot: LocalStack 501, moto 500)."
  type        = bool
  default     = true
}
