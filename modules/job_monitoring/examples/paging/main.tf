# Twelve jobs and small dashboard limits: the dashboards are split into pages before a limit is reached.
# Planned only (tests/inventories/job_monitoring/paging.yaml says apply: false): 12 jobs' alarms add minutes
# to the examples' apply and prove nothing the plan does not.

module "job_monitoring" {
  source = "../../"

  name_prefix = "pg-jm"
  environment = "pg"
  alarm_topic_arns = {
    critical = "arn:aws:sns:us-east-1:100000000003:pg-critical"
    warning  = "arn:aws:sns:us-east-1:100000000003:pg-warning"
    info     = "arn:aws:sns:us-east-1:100000000003:pg-info"
  }
  dlq_queue_names = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12"]
  # small limits: 2 jobs per metrics page (20 widgets), 5 per main page (5 alarms per widget), DLQ widgets
  # of 5 queues (10 metrics per widget)
  dashboard_limits = { widgets = 20, alarms_per_widget = 5, metrics_per_widget = 10 }
  jobs             = { for i in range(12) : format("job%02d", i) => { schedule_interval_hours = 24 } }
}

output "dashboard_names" {
  description = "Dashboard name by page."
  value       = module.job_monitoring.dashboard_names
}
