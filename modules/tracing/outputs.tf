output "sampling_rule_arns" {
  description = "Sampling rule ARN by key of sampling_rules."
  value       = { for k, r in aws_xray_sampling_rule.this : k => r.arn }
}

output "sampling_rule_names" {
  description = "Sampling rule name by key of sampling_rules (planned names, also where the rules are switched off)."
  value       = var.create ? { for k in keys(var.sampling_rules) : k => "${var.name_prefix}-${k}" } : {}
}

output "group_arns" {
  description = "X-Ray group ARN by pipeline."
  value       = { for k, g in aws_xray_group.this : k => g.arn }
}

output "group_names" {
  description = "X-Ray group name by pipeline (planned names, also where the groups are switched off)."
  value       = var.create ? { for k in keys(var.pipelines) : k => "${var.name_prefix}-${k}" } : {}
}

output "filter_expressions" {
  description = "The filter expression of each pipeline's group: paste it in the X-Ray console to read one pipeline."
  value       = var.create ? local.filter_expressions : {}
}

output "insights_rule_name" {
  description = "The EventBridge rule that forwards X-Ray insight events to the topic of insights_severity."
  value       = try(aws_cloudwatch_event_rule.insights[0].name, null)
}

output "insights_rule_arn" {
  description = "ARN of the insights EventBridge rule (give it to the topic policy's aws:SourceArn)."
  value       = try(aws_cloudwatch_event_rule.insights[0].arn, null)
}

output "encryption_key_id" {
  description = "The KMS key X-Ray encrypts the traces with (null when the encryption config is not managed here)."
  value       = try(aws_xray_encryption_config.this[0].key_id, null)
}

output "job_policy_json" {
  description = "Least-privilege IAM policy for the Glue job roles: xray:PutTraceSegments (plus the key, through X-Ray only, when the traces are KMS-encrypted). Attach with aws_iam_role_policy."
  value       = var.create ? data.aws_iam_policy_document.job.json : null
}
