locals {
  # every alarm by <job>/<signal>-<severity> (e.g. orders/job-failure-critical, orders/health-warning): the key is
  # the alarm name less "<name_prefix>-"; `instance` is the key inside module.job[<job>]
  alarm_index = merge(
    { for k, a in local.metric_alarm_specs : "${a.job}/${a.signal}" => { instance = k, job = a.job, signal = a.signal, severity = a.severity, name = a.name, type = "metric", notifies = a.notify } },
    { for k, c in local.slo_composites : "${c.job}/${c.signal}" => { instance = k, job = c.job, signal = c.signal, severity = c.severity, name = c.name, type = "composite", notifies = true } },
    { for k, c in local.suppressed_composites : "${c.job}/${c.signal}" => { instance = "${k}/notify", job = c.job, signal = c.signal, severity = c.severity, name = c.name, type = "composite", notifies = true } },
    { for k, h in local.health_alarms : "${k}/${h.signal}" => { instance = k, job = k, signal = h.signal, severity = h.severity, name = h.name, type = "composite", notifies = false } },
  )
}

output "alarms" {
  description = "Every alarm by <job>/<signal>-<severity> (e.g. orders/job-failure-critical): name, ARN, job, signal (<signal>-<severity>), severity, type (metric or composite) and notifies (false: a roll-up or an SLO window, which has no actions)."
  value = { for key, a in local.alarm_index : key => {
    name     = a.name
    arn      = module.job[a.job].alarm_arns[a.instance]
    job      = a.job
    signal   = a.signal
    severity = a.severity
    type     = a.type
    notifies = a.notifies
  } if var.create }
}

output "alarm_arns" {
  description = "Alarm ARN by <job>/<signal>-<severity>."
  value       = { for key, a in local.alarm_index : key => module.job[a.job].alarm_arns[a.instance] if var.create }
}

output "alarm_names" {
  description = "Alarm name by <job>/<signal>-<severity> (<name_prefix>-<job>-<signal>-<severity>)."
  value       = { for key, a in local.alarm_index : key => module.job[a.job].alarm_names[a.instance] if var.create }
}

output "health_alarm_arns" {
  description = "The composite health roll-up of each job (no actions: its alarms notify), by job key."
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

output "notification_rule_names" {
  description = "The rules whose events are a sentence on a topic, by <job>/<rule>: dq-results (Glue Data Quality results with failed rules), job-succeeded (info), job-running-long (Glue Job Run Status, warning)."
  value       = { for x in flatten([for k, m in module.job : [for key, r in m.notification_rules : { key = key, name = r.name }]]) : x.key => x.name }
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

output "signals" {
  description = "The signal catalog's names by input key (job_failure = job-failure, ...): the <signal> of alarm names, output keys and runbook anchors."
  value       = { for k, s in local.catalog.signals : k => s.name }
}
