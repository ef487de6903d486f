output "alarm_arns" {
  description = "ARN of every alarm of the job (metric and composite), by key."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn },
    { for k, a in aws_cloudwatch_composite_alarm.slo : k => a.arn },
    { for k, a in aws_cloudwatch_composite_alarm.health : k => a.arn },
  )
}

output "alarm_names" {
  description = "Name of every alarm of the job, by key."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name },
    { for k, a in aws_cloudwatch_composite_alarm.slo : k => a.alarm_name },
    { for k, a in aws_cloudwatch_composite_alarm.health : k => a.alarm_name },
  )
}

output "event_rule" {
  description = "Name and ARN of the job's failure rule (null when none)."
  value       = try({ name = one(values(aws_cloudwatch_event_rule.job_state)).name, arn = one(values(aws_cloudwatch_event_rule.job_state)).arn }, null)
}

output "notification_rules" {
  description = "Name and ARN of the job's notification rules, by <job>/<rule>."
  value       = { for k, r in aws_cloudwatch_event_rule.notify : k => { name = r.name, arn = r.arn } }
}
