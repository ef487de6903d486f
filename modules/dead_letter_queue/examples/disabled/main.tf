# create = false: the module plans and applies nothing, and its outputs are null or empty.

module "dead_letter_queue" {
  source = "../../"

  create              = false
  name_prefix         = "ex-dlq-disabled"
  create_source_queue = true
  alarm_topic_arns = {
    critical = "arn:aws:sns:us-east-1:100000000004:disabled-critical"
    warning  = "arn:aws:sns:us-east-1:100000000004:disabled-warning"
  }
}

output "all" {
  description = "Every output of the module (null or empty)."
  value       = module.dead_letter_queue
}
