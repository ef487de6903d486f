# Three jobs with different expectations, their alarms routed to the severity topics of the notifications
# module, and the dashboards generated from the same list.

module "notifications" {
  source = "../../../notifications"

  name_prefix                     = "ex-jobmon-complete"
  kms_key_deletion_window_in_days = 7
}

module "job_monitoring" {
  source = "../../"

  name_prefix      = "ex-jobmon-complete"
  environment      = "ex"
  alarm_topic_arns = module.notifications.topic_arns
  dlq_queue_names  = ["ex-jobmon-complete-records-dlq"]

  # Tags reach the rules and the alarms. LocalStack 2026.3 keeps alarm tags (re-plan empty); 4.x dropped them,
  # set tag_alarms = false there.
  tag_alarms = true
  tags       = { Example = "job_monitoring/complete" }

  # every job's setting of a signal (jobs[*].alarms overrides it per job, field by field)
  alarms = {
    quality_score = { thresholds = { warning = 0.95 } }
  }

  jobs = {
    # A daily job with a known duration and objectives: static duration alarm, SLO burn-rate alerts.
    customer_import = {
      glue_job_name           = "customer-import-ex"
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
      slo = {
        success_rate_percent = 99
        freshness_percent    = 95
      }
      # its Glue Data Quality rulesets (EvaluateDataQuality evaluation contexts): one alarm each, failed results
      # as a sentence on the warning topic
      data_quality_rulesets = ["customers_completeness", "customers_validity"]
    }
    # An hourly job: tighter freshness, stricter validation with a critical level, STOPPED counts as a failure,
    # and its health rollup pages.
    orders_hourly = {
      schedule_interval_hours = 1
      failure_states          = ["FAILED", "TIMEOUT", "STOPPED"]
      health_severity         = "critical"
      runbook_url             = "https://wiki.example.com/runbooks/orders-hourly"
      # runs hourly: no "completed" message by default (notify_success null = on only every 6 h or less often)
      alarms = {
        data_freshness          = { thresholds = { warning = 2, critical = 3 }, period_seconds = 600 }
        validation_failure_rate = { thresholds = { warning = 5, critical = 20 } }
        api_latency             = { thresholds = { warning = 1000, critical = 5000 } }
      }
    }
    # An on-demand backfill: no schedule (no freshness), no external API, duration learnt by an anomaly band.
    adhoc_backfill = {
      stages          = ["extract", "load"]
      health_severity = "none"
      alarms = {
        data_freshness = { enabled = false }
        api_errors     = { enabled = false }
        api_latency    = { enabled = false }
      }
    }
  }
}
