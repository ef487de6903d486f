output "sampling_rule_names" {
  description = "Sampling rule name by key."
  value       = module.tracing.sampling_rule_names
}

output "group_names" {
  description = "X-Ray group name by pipeline."
  value       = module.tracing.group_names
}

output "filter_expressions" {
  description = "Filter expression by pipeline."
  value       = module.tracing.filter_expressions
}

output "insights_rule_name" {
  description = "The EventBridge rule for the insight events."
  value       = module.tracing.insights_rule_name
}

output "job_policy_json" {
  description = "The job role's trace policy."
  value       = module.tracing.job_policy_json
}

output "job_role_name" {
  description = "The example job role that carries the policy."
  value       = aws_iam_role.job.name
}

output "warning_topic_arn" {
  description = "The stand-in warning topic."
  value       = aws_sns_topic.warning.arn
}
