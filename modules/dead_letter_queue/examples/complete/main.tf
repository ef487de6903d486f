# A dead-letter queue with its source queue, alarms to the severity topics of the notifications module,
# and an EventBridge rule whose target dead-letters into it (undeliverable Glue failure events).
locals {
  name = "ex-dlq-complete"
}

module "notifications" {
  source = "../../../notifications"

  name_prefix                     = local.name
  kms_key_deletion_window_in_days = 7
  tags                            = { Example = "dead_letter_queue/complete" }
}

module "dead_letter_queue" {
  source = "../../"

  name_prefix                     = local.name
  name                            = "records"
  create_source_queue             = true
  kms_key_deletion_window_in_days = 7
  max_receive_count               = 3
  allowed_sender_arns             = [aws_cloudwatch_event_rule.glue_failed.arn]

  alarms = {
    depth = { thresholds = { info = 1, warning = 10, critical = 100 } }
    age   = { thresholds = { warning = 3600, critical = 86400 } }
  }
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = var.alarm_period_seconds

  tags = { Example = "dead_letter_queue/complete" }
}

variable "alarm_period_seconds" {
  description = "Alarm period: 10 s so the emulator tests see an alarm fire in seconds. Use 60 on AWS (SQS publishes one-minute metrics)."
  type        = number
  default     = 10
}

# Glue failures go to the critical topic; events EventBridge cannot deliver land in the dead-letter queue.
resource "aws_cloudwatch_event_rule" "glue_failed" {
  name        = "${local.name}-glue-failed"
  description = "Glue job runs that failed or timed out"
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail        = { state = ["FAILED", "TIMEOUT"] }
  })
  tags = { Example = "dead_letter_queue/complete" }
}

resource "aws_cloudwatch_event_target" "glue_failed" {
  rule      = aws_cloudwatch_event_rule.glue_failed.name
  target_id = "critical-topic"
  arn       = module.notifications.topic_arns["critical"]

  dead_letter_config {
    arn = module.dead_letter_queue.dlq_arn
  }

  retry_policy {
    maximum_retry_attempts       = 4
    maximum_event_age_in_seconds = 3600
  }
}
