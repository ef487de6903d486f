# create = false: the module plans and applies nothing, and its outputs are null or empty.

module "data_lake_monitoring" {
  source = "../../"

  create                    = false
  name_prefix               = "ex-dlm-disabled"
  environment               = "ex"
  buckets                   = { raw = { bucket = "ex-dlm-disabled-raw" } }
  cloudtrail_log_group_name = "ex-dlm-disabled-cloudtrail"
  secret_reader_role_names  = ["ex-dlm-disabled-job"]
  alarm_topic_arns = {
    critical = "arn:aws:sns:us-east-1:100000000004:disabled-critical"
    warning  = "arn:aws:sns:us-east-1:100000000004:disabled-warning"
  }
}

output "all" {
  description = "Every output of the module (null or empty)."
  value       = module.data_lake_monitoring
}
