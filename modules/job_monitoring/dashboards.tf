# Dashboards generated from the same job list as the alarms:
#   <name_prefix>-etl-main[-N]     the monitoring guide's main ETL dashboard: Glue task success/failure (namespace
#                                  Glue, JobRunId=ALL, Type=count), successful completions in 5-minute bins (Logs
#                                  Insights), failed runs, recent failures, and the jobs' health alarms
#   <name_prefix>-etl-metrics[-N]  the custom-metrics dashboard: per job success rate (metric math), duration
#                                  average and p95, records, quality score and schema changes, validation pass rate,
#                                  freshness, API latency and errors, DPU use (executors), Glue errors, out of memory, skewness and worker
#                                  utilization (observability metrics), stage durations; DLQ
#                                  depth and an alarm-status widget per page
# The layout is computed on CloudWatch's 24-column grid (no two widgets overlap) and the jobs are split into
# pages before any of CloudWatch's limits (var.dashboard_limits) is reached.

locals {
  dashboards_on  = var.create && var.create_dashboards
  dashboard_jobs = sort([for k, j in local.jobs : k if j.dashboard])
  limits         = var.dashboard_limits

  health_arns = { for k in local.dashboard_jobs : k => "${local.alarm_arn_prefix}${local.health_alarms[k].name}" if contains(keys(local.health_alarms), k) }

  # ---- per-job widgets of the custom-metrics dashboard (signals.json "widgets": 8 columns x 6 rows, 3 per row) ----
  # The math the widgets use is code, like the alarms' (a widget names it by id).
  widget_expressions = { rate = { expression = "100 * FILL(succeeded, 0) / (FILL(succeeded, 0) + FILL(failed, 0))" } }
  # the thresholds a widget draws: of each static alarm whose signal names the widget (signals.json "dashboard")
  widget_annotations = { for k in local.dashboard_jobs : k => { for w in local.catalog.widgets : w.id => [
    for key in lookup(local.alarms_by_job, k, []) : {
      label = templatestring(local.signal_alarms[key].sig.dashboard.label, { severity = local.signal_alarms[key].severity, threshold = local.signal_alarms[key].t })
      value = local.alarm_thresholds[key]
    } if contains(keys(local.signal_alarms), key) && try(local.signal_alarms[key].sig.dashboard.widget == w.id && local.signal_alarms[key].variant.kind == "static", false)
  ] } }
  job_widgets = { for k in local.dashboard_jobs : k => [for w in local.catalog.widgets : {
    type = "metric", width = 8, height = 6
    properties = merge(
      {
        title = "${k}: ${w.title}", region = local.region, view = "timeSeries", period = w.period
        metrics = concat(
          [for e in(w.expression == null ? [] : [w.expression]) : [{ expression = local.widget_expressions[e.id].expression, label = e.label, id = e.id }]],
          [for m in w.metrics : concat(
            # Glue's job metrics are Type gauge; its observability metrics name their Type and ObservabilityGroup
            m.namespace == "glue" ? concat(["Glue", m.metric, "JobName", local.job_names[k], "JobRunId", "ALL"], flatten([for dk, dv in coalesce(try(m.dimensions, null), { Type = "gauge" }) : [dk, dv]])) : [local.namespace, m.metric, "JobName", local.job_names[k], "Environment", var.environment],
            [{ for attr, v in { stat = m.stat, label = m.label, yAxis = m.y_axis, id = m.id, visible = m.visible } : attr => v if v != null }],
          )],
          [for stage in(w.per_stage == null ? [] : local.jobs[k].stages) : [local.namespace, w.per_stage, "JobName", local.job_names[k], "Environment", var.environment, "Stage", stage, { label = stage }]],
        )
      },
      w.stat == null ? {} : { stat = w.stat },
      w.y_axis == null ? {} : { yAxis = { left = w.y_axis } },
      { for a in [concat(
        [for o in(w.objective == null ? [] : [local.jobs[k].slo[w.objective]]) : { label = "objective ${o}%", value = o } if o != null],
        local.widget_annotations[k][w.id],
      )] : "annotations" => { horizontal = a } if length(a) > 0 },
    )
  }] }
  job_widget_count = length(local.catalog.widgets)
  job_metrics      = { for k in local.dashboard_jobs : k => sum([for w in local.job_widgets[k] : length(w.properties.metrics)]) }
  # the JSON of a job's widgets, plus their x/y and its health alarm ARN in the alarm widget
  job_bytes = { for k in local.dashboard_jobs : k => length(jsonencode(local.job_widgets[k])) + local.job_widget_count * 24 + length(lookup(local.health_arns, k, "")) + 3 }

  # ---- custom-metrics pages ------------------------------------------------------------------------------------
  dlq_per_widget = max(1, floor(local.limits.metrics_per_widget / 2))
  dlq_chunks     = chunklist(var.dlq_queue_names, local.dlq_per_widget)
  dlq_widgets = [for i, chunk in local.dlq_chunks : {
    type = "metric", width = 12, height = 6
    properties = {
      title = "Dead-letter queue depth and oldest message age${length(local.dlq_chunks) > 1 ? " (${i + 1}/${length(local.dlq_chunks)})" : ""}", region = local.region, view = "timeSeries", period = 300, stat = "Maximum"
      metrics = concat(
        [for q in chunk : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { label = "${q} messages" }]],
        [for q in chunk : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q, { label = "${q} oldest (s)", yAxis = "right" }]],
      )
    }
  }]
  metrics_fixed = 2 * length(var.dlq_queue_names)
  bytes_fixed   = length(jsonencode(local.dlq_widgets)) + 4096 # + the header text, the alarm widget's frame, the body's frame

  metrics_page_size = length(local.dashboard_jobs) == 0 ? 1 : max(1, min(
    floor((local.limits.widgets - 2 - length(local.dlq_widgets)) / local.job_widget_count),
    floor((local.limits.metrics_per_dashboard - local.metrics_fixed) / max(values(local.job_metrics)...)),
    floor((local.limits.body_bytes - local.bytes_fixed) / max(values(local.job_bytes)...)),
    local.limits.alarms_per_widget,
  ))
  metrics_pages = chunklist(local.dashboard_jobs, local.metrics_page_size)

  # ---- main pages: 3 metrics and 1 alarm per job -----------------------------------------------------------------
  main_job_bytes = { for k in local.dashboard_jobs : k => 3 * 160 + 2 * length(local.job_names[k]) + length(local.namespace) + length(lookup(local.health_arns, k, "")) + 3 }
  main_page_size = length(local.dashboard_jobs) == 0 ? 1 : max(1, min(
    floor(local.limits.metrics_per_widget / 2),
    floor(local.limits.metrics_per_dashboard / 3),
    local.limits.alarms_per_widget,
    floor((local.limits.body_bytes - 8192) / max(values(local.main_job_bytes)...)),
  ))
  main_pages = chunklist(local.dashboard_jobs, local.main_page_size)

  main_names    = [for i, p in local.main_pages : "${var.name_prefix}-etl-main${i == 0 ? "" : "-${i + 1}"}"]
  metrics_names = [for i, p in local.metrics_pages : "${var.name_prefix}-etl-metrics${i == 0 ? "" : "-${i + 1}"}"]
  all_names     = concat(local.main_names, local.metrics_names)
  nav           = join(" | ", [for n in local.all_names : "[${n}](#dashboards:name=${n})"])

  # [] = the job log group modules/log_groups creates for the same name_prefix
  log_groups = length(var.glue_log_group_names) > 0 ? var.glue_log_group_names : ["/aws-glue/jobs/${var.name_prefix}/output"]
  log_source = join(" | ", [for g in local.log_groups : "SOURCE '${g}'"])

  main_bodies = { for i, page in local.main_pages : local.main_names[i] => jsonencode({
    start          = "-PT24H"
    periodOverride = "inherit"
    widgets = concat(
      [{
        type       = "text", x = 0, y = 0, width = 24, height = 2
        properties = { markdown = "## Glue ETL ${var.environment}: main dashboard${length(local.main_pages) > 1 ? ", page ${i + 1} of ${length(local.main_pages)}" : ""} (${length(page)} jobs)\nGenerated by Terraform (modules/job_monitoring) from the job list: changes made in the console are overwritten. ${local.nav}" }
      }],
      [for arns in [[for k in page : local.health_arns[k] if contains(keys(local.health_arns), k)]] : {
        type       = "alarm", x = 0, y = 2, width = 24, height = 4
        properties = { title = "Job health (composite alarms)", alarms = arns, sortBy = "stateUpdatedTimestamp" }
      } if length(arns) > 0],
      [
        {
          type = "metric", x = 0, y = 6, width = 12, height = 6
          properties = {
            title = "Glue Task Success/Failure", region = local.region, view = "timeSeries", period = 300, stat = "Sum"
            metrics = concat(
              [for k in page : ["Glue", "glue.driver.aggregate.numCompletedTasks", "JobName", local.job_names[k], "JobRunId", "ALL", "Type", "count", { label = "${k} completed tasks" }]],
              [for k in page : ["Glue", "glue.driver.aggregate.numFailedTasks", "JobName", local.job_names[k], "JobRunId", "ALL", "Type", "count", { label = "${k} failed tasks" }]],
            )
          }
        },
        {
          type = "log", x = 12, y = 6, width = 12, height = 6
          properties = {
            title = "Successful Job Completions (5min bins)", region = local.region, view = "timeSeries"
            query = "${local.log_source} | fields @timestamp, @message\n| filter @message like /job_completed_successfully/\n| stats count() by bin(5m)"
          }
        },
        {
          type = "metric", x = 0, y = 12, width = 12, height = 6
          properties = {
            title   = "Failed runs (JobsFailed)", region = local.region, view = "bar", period = 3600, stat = "Sum"
            metrics = [for k in page : [local.namespace, "JobsFailed", "JobName", local.job_names[k], "Environment", var.environment, { label = k }]]
          }
        },
        {
          type = "log", x = 12, y = 12, width = 12, height = 6
          properties = {
            title = "Recent job failures", region = local.region, view = "table"
            query = "${local.log_source} | fields @timestamp, @message\n| filter @message like /job_failed/\n| sort @timestamp desc\n| limit 50"
          }
        },
      ],
    )
  }) }

  metrics_bodies = { for i, page in local.metrics_pages : local.metrics_names[i] => jsonencode({
    start          = "-PT24H"
    periodOverride = "inherit"
    widgets = concat(
      [{
        type       = "text", x = 0, y = 0, width = 24, height = 2
        properties = { markdown = "## Glue ETL ${var.environment}: job metrics${length(local.metrics_pages) > 1 ? ", page ${i + 1} of ${length(local.metrics_pages)}" : ""} (${join(", ", page)})\nNamespace ${local.namespace} (docs/metrics.md). Generated by Terraform (modules/job_monitoring): changes made in the console are overwritten. ${local.nav}" }
      }],
      # DLQ widgets and the alarm widget fill rows of two 12-column widgets under the header
      [for j, w in concat(local.dlq_widgets, [for arns in [[for k in page : local.health_arns[k] if contains(keys(local.health_arns), k)]] : {
        type       = "alarm", width = 12, height = 6
        properties = { title = "Job health (composite alarms)", alarms = arns, sortBy = "stateUpdatedTimestamp" }
      } if length(arns) > 0]) : merge(w, { x = (j % 2) * 12, y = 2 + floor(j / 2) * 6 })],
      flatten([for n, k in page : [for j, w in local.job_widgets[k] : merge(w, {
        x = (j % 3) * 8
        y = 2 + ceil((length(local.dlq_widgets) + 1) / 2) * 6 + n * ceil(local.job_widget_count / 3) * 6 + floor(j / 3) * 6
      })]]),
    )
  }) }

  dashboard_bodies = local.dashboards_on ? merge(local.main_bodies, local.metrics_bodies) : {}
  dashboard_keys   = { for i, n in local.all_names : (i < length(local.main_names) ? (i == 0 ? "main" : "main-${i + 1}") : (i == length(local.main_names) ? "metrics" : "metrics-${i - length(local.main_names) + 1}")) => n }
}

resource "aws_cloudwatch_dashboard" "this" {
  for_each = local.dashboard_bodies

  dashboard_name = each.key
  dashboard_body = each.value

  lifecycle {
    precondition {
      condition     = length(each.value) <= var.dashboard_limits.body_bytes && length(jsondecode(each.value).widgets) <= var.dashboard_limits.widgets
      error_message = "Dashboard ${each.key} would hold ${length(jsondecode(each.value).widgets)} widgets and ${length(each.value)} bytes, over dashboard_limits: this is a bug of the page split, please report it."
    }
  }
}
