output "alarms" {
  description = "Every alarm, by <job>/<signal>/<severity>: its name, ARN, job, signal and severity (metric and composite alarms)."
  value = merge(
    { for k, a in local.metric_alarm_specs : k => { name = a.name, arn = module.job[a.job].alarm_arns[k], job = a.job, signal = a.signal, severity = a.severity, type = "metric" } if var.create },
    { for k, c in local.slo_composites : k => { name = c.name, arn = module.job[c.job].alarm_arns[k], job = c.job, signal = c.signal, severity = c.severity, type = "composite" } if var.create },
    { for k, h in local.health_alarms : h.key => { name = h.name, arn = module.job[k].alarm_arns[k], job = k, signal = "health", severity = h.severity, type = "composite" } if var.create },
  )
}

output "alarm_arns" {
  description = "Alarm ARN by <job>/<signal>/<severity>."
  value = merge(
    { for k, a in local.metric_alarm_specs : k => module.job[a.job].alarm_arns[k] if var.create },
    { for k, c in local.slo_composites : k => module.job[c.job].alarm_arns[k] if var.create },
    { for k, h in local.health_alarms : h.key => module.job[k].alarm_arns[k] if var.create },
  )
}

output "health_alarm_arns" {
  description = "The composite health alarm of each job, by job key."
  value       = { for k, h in local.health_alarms : k => module.job[k].alarm_arns[k] if var.create }
}

output "event_rule_names" {
  description = "The EventBridge rule that matches each job's failures (Glue Job State Change), by job key."
  value       = { for k, m in module.job : k => m.event_rule.name if m.event_rule != null }
}

output "event_rule_arns" {
  description = "The EventBridge rule ARN of each job, by job key."
  value       = { for k, m in module.job : k => m.event_rule.arn if m.event_rule != null }
}

output "dashboard_names" {
  description = "Dashboard name by page key: main, main-2, ..., metrics, metrics-2, ... (a new page appears when a dashboard would exceed dashboard_limits)."
  value       = local.dashboards_on ? local.dashboard_keys : {}
}

output "dashboard_bodies" {
  description = "Dashboard body (JSON) by dashboard name: what tools/dashboard_preview.py renders."
  value       = { for k, d in aws_cloudwatch_dashboard.this : k => d.dashboard_body }
}

output "metric_namespace" {
  description = "Namespace of the custom metrics the alarms and dashboards read."
  value       = local.namespace
}
