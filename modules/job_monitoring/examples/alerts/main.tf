# One job's alerts delivered to an SQS inbox per severity: what a team sees from its pager, its mail and its
# chat, here as queues it can read. 10-second periods (CloudWatch accepts them; LocalStack evaluates once per
# period), so an alarm moves within seconds. The end-to-end tests send Glue events and datapoints here and
# read the inboxes (tests/e2e/scenarios.py).

locals {
  name_prefix = "ex-job-monitoring-alerts"
  severities  = ["critical", "warning", "info"]
}

resource "aws_sqs_queue" "inbox" {
  for_each = toset(local.severities)

  name                    = "${local.name_prefix}-inbox-${each.key}"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue_policy" "inbox" {
  for_each = toset(local.severities)

  queue_url = aws_sqs_queue.inbox[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "FromItsTopic"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.inbox[each.key].arn
      Condition = { ArnEquals = { "aws:SourceArn" = module.notifications.topic_arns[each.key] } }
    }]
  })
}

module "notifications" {
  source = "../../../notifications"

  name_prefix                     = local.name_prefix
  kms_key_deletion_window_in_days = 7
  subscriptions = { for s in local.severities : "inbox-${s}" => {
    severity = s
    protocol = "sqs"
    endpoint = aws_sqs_queue.inbox[s].arn
  } }
}

module "job_monitoring" {
  source = "../../"

  name_prefix          = local.name_prefix
  environment          = "alerts"
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = 10
  create_dashboards    = false
  alarms = {
    # a 10 s window instead of the 25 h one: one evaluation period
    data_freshness = { evaluation_periods = 1 }
  }
  jobs = {
    orders = {
      glue_job_name           = "orders-ex"
      schedule_interval_hours = 24
      # the end-to-end tests send a SUCCEEDED event and expect no message for it
      notify_success = false
    }
  }
}
