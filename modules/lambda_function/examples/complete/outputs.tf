output "built" {
  description = "Whether the Lambda zips were found (python -m tools.build_lambdas); nothing is created without them."
  value       = local.built
}

output "function_names" {
  description = "Function name by Lambda."
  value = {
    remediation   = module.remediation.function_name
    weekly_report = module.weekly_report.function_name
    health_check  = module.health_check.function_name
  }
}

output "function_arns" {
  description = "Function ARN by Lambda."
  value = {
    remediation   = module.remediation.function_arn
    weekly_report = module.weekly_report.function_arn
    health_check  = module.health_check.function_arn
  }
}

output "role_names" {
  description = "Execution role name by Lambda."
  value = {
    remediation   = module.remediation.role_name
    weekly_report = module.weekly_report.role_name
    health_check  = module.health_check.role_name
  }
}

output "dead_letter_queue_names" {
  description = "Dead-letter queue of the asynchronous invocations, by Lambda."
  value = {
    remediation   = module.remediation.dead_letter_queue_name
    weekly_report = module.weekly_report.dead_letter_queue_name
    health_check  = module.health_check.dead_letter_queue_name
  }
}

output "event_rule_arns" {
  description = "EventBridge rule ARNs by Lambda and rule key."
  value = {
    remediation   = module.remediation.event_rule_arns
    weekly_report = module.weekly_report.event_rule_arns
    health_check  = module.health_check.event_rule_arns
  }
}

output "subscription_arns" {
  description = "SNS subscriptions of the remediation Lambda by topic key."
  value       = module.remediation.subscription_arns
}

output "alarm_names" {
  description = "The Lambdas' own alarms, by Lambda."
  value = {
    remediation   = module.remediation.alarm_names
    weekly_report = module.weekly_report.alarm_names
    health_check  = module.health_check.alarm_names
  }
}

output "topic_arns" {
  description = "The example's alert topics by severity."
  value       = local.topics
}

output "kms_key_arns" {
  description = "KMS key of each Lambda (each module call creates its own: its policy names that function's role and log group)."
  value = {
    remediation   = module.remediation.kms_key_arn
    weekly_report = module.weekly_report.kms_key_arn
    health_check  = module.health_check.kms_key_arn
  }
}
