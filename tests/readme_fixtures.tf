# What the README usage examples refer to without defining it (harness/readme_examples.py takes, for each
# example, only the blocks it needs). Paths are relative to modules/<module>/examples/readme.

module "notifications" {
  source = "../../../notifications"

  name_prefix                     = "readme-alerts"
  kms_key_deletion_window_in_days = 7
}

module "audit_trail" {
  source = "../../../audit_trail"

  name_prefix                     = "readme-audit"
  force_destroy                   = true
  kms_key_deletion_window_in_days = 7
}

module "dead_letter_queue" {
  source = "../../../dead_letter_queue"

  name_prefix                     = "readme-dlq"
  alarm_topic_arns                = module.notifications.topic_arns
  kms_key_deletion_window_in_days = 7
}

module "log_groups" {
  source = "../../../log_groups"

  environment                     = "prod"
  name_prefix                     = "readme-logs"
  kms_key_deletion_window_in_days = 7
}

resource "aws_iam_role" "glue_job" {
  name = "readme-glue-job"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "glue.amazonaws.com" } }]
  })
}

locals {
  zip = "${path.module}/../../../../build/lambda/remediation.zip"
}
