"""The root of the job-alerts end-to-end tests: the notifications module's severity topics, one SQS inbox
subscribed to each, and modules/job_monitoring watching one job with 10-second alarm periods. Applied in
the background of the run in an account of its own (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from harness.root import Root

PREFIX = "e2e-jm"
JOB_KEY = "orders"
GLUE_JOB = "orders-e2e"

ROOT_TF = """
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  severities = ["critical", "warning", "info"]
}

# one inbox per severity, subscribed to that severity's topic
resource "aws_sqs_queue" "inbox" {
  for_each = toset(local.severities)
  name     = "PREFIX-inbox-${each.key}"
}

resource "aws_sqs_queue_policy" "inbox" {
  for_each  = toset(local.severities)
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
  source = "../modules/notifications"

  name_prefix                     = "PREFIX"
  kms_key_deletion_window_in_days = 7
  subscriptions = { for s in local.severities : "inbox-${s}" => {
    severity = s
    protocol = "sqs"
    endpoint = aws_sqs_queue.inbox[s].arn
  } }
}

module "job_monitoring" {
  source = "../modules/job_monitoring"

  name_prefix          = "PREFIX"
  environment          = "e2e"
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = 10
  create_dashboards    = false
  alarm_defaults = {
    # a 10 s window instead of the 25 h one: one evaluation period
    data_freshness = { evaluation_periods = 1 }
  }
  jobs = {
    JOB_KEY = {
      glue_job_name           = "GLUE_JOB"
      schedule_interval_hours = 24
    }
  }
}

output "inbox_urls" {
  value = { for s, q in aws_sqs_queue.inbox : s => q.id }
}

output "alarms" {
  value = module.job_monitoring.alarms
}

output "event_rule_names" {
  value = module.job_monitoring.event_rule_names
}

output "topic_arns" {
  value = module.notifications.topic_arns
}
""".replace("PREFIX", PREFIX).replace("JOB_KEY", JOB_KEY).replace("GLUE_JOB", GLUE_JOB)




def job_alerts_root(tree: Path, emulator, account: str) -> Root:
    folder = tree / "e2e_job_alerts"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text(ROOT_TF)
    root = Root(folder)
    root.target_emulator(emulator, account=account)
    return root
