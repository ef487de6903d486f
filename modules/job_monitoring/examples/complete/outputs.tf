output "topic_arns" {
  description = "SNS topic ARN by severity."
  value       = module.notifications.topic_arns
}

output "alarms" {
  description = "Every alarm by <job>/<signal>/<severity>: name, ARN, severity."
  value       = module.job_monitoring.alarms
}

output "event_rule_names" {
  description = "The failure rule of each job."
  value       = module.job_monitoring.event_rule_names
}

output "health_alarm_arns" {
  description = "The composite health alarm of each job."
  value       = module.job_monitoring.health_alarm_arns
}

output "dashboard_names" {
  description = "Dashboard name by page key."
  value       = module.job_monitoring.dashboard_names
}

output "dashboard_bodies" {
  description = "Dashboard body by name (render them with tools/dashboard_preview.py)."
  value       = module.job_monitoring.dashboard_bodies
}

output "metric_namespace" {
  description = "Namespace of the custom metrics."
  value       = module.job_monitoring.metric_namespace
}
