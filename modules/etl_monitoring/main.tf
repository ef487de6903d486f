# The whole monitoring of a Glue ETL environment, composed from the leaf modules: one key, the alert
# topics, the log groups, the dead-letter queue, the jobs' alarms and dashboards (and the jobs themselves,
# for those it deploys), the audit trail and tracing, the cost alerts and the operations Lambdas. It owns
# no resource itself: each module owns one resource family, and these files only wire them together.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name_prefix = coalesce(var.name_prefix, "glue-etl-${var.environment}")
  tags        = merge({ Environment = var.environment, ManagedBy = "terraform", Project = "glue-etl-monitoring" }, var.tags)

  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  log_retention_in_days = coalesce(var.log_retention_in_days, lookup({ dev = 7, staging = 30, prod = 90 }, var.environment, 30))

  # The signals `alarms` may name, and which module each goes to.
  job_signals    = [for k, s in jsondecode(file("${path.module}/../job_monitoring/signals.json")).signals : k if s.configurable]
  queue_signals  = ["depth", "age"]
  lambda_signals = ["errors", "dead_letters"]
  lake_signals   = ["server_errors", "client_error_rate", "storage_growth", "secret_reads", "secret_access_denied"]
  alarm_signals  = concat(local.job_signals, local.queue_signals, local.lambda_signals, local.lake_signals)
  alarms_of      = { for part, signals in { jobs = local.job_signals, queue = local.queue_signals, lambda = local.lambda_signals, lake = local.lake_signals } : part => { for k, a in var.alarms : k => a if contains(signals, k) } }

  # The Glue job name of each monitored job: deployed here (<name_prefix>-<key>), else the job's own
  # glue_job_name, else its key.
  glue_job_names = { for k, j in var.jobs : k => (contains(keys(var.glue_jobs), k) ? "${local.name_prefix}-${k}" : try(coalesce(j.glue_job_name, k), k)) }
  job_names      = [for k in sort(keys(var.jobs)) : local.glue_job_names[k]]
  job_arns       = [for name in local.job_names : "${local.arn_prefix}:glue:${local.region}:${local.account_id}:job/${name}"]

  lambda_names = ["remediation", "weekly-report", "health-check"]
}

# -- the environment's one key ----------------------------------------------------------------------------

module "kms_key" {
  source = "../kms_key"
  count  = var.create && var.create_kms_key ? 1 : 0

  name_prefix = local.name_prefix
  description = "${local.name_prefix}: everything the ${var.environment} environment's monitoring encrypts (topics, queues, logs, audit trail, Lambdas, traces)"
  # the services that publish alerts to the encrypted topics and queues, for this account only
  publisher_services = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"]
  # CloudWatch Logs encrypts these groups only (its encryption context names the group)
  # (names, not the groups' outputs: the groups are encrypted with this key)
  log_group_names = concat(
    values(module.log_groups.glue_log_group_names),
    [for name in local.lambda_names : "/aws/lambda/${local.name_prefix}-${name}"],
  )
  # the account's roles use the key through these services only, as far as their own policies allow
  via_services                    = ["s3", "sqs", "sns", "lambda", "xray"]
  kms_key_deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                            = local.tags
}

locals {
  kms_key_arn = var.create_kms_key ? try(module.kms_key[0].kms_key_arn, null) : var.kms_key_arn
}

# -- alerts, logs, failed records --------------------------------------------------------------------------

module "notifications" {
  source = "../notifications"

  create         = var.create
  name_prefix    = local.name_prefix
  subscriptions  = var.alert_subscriptions
  create_kms_key = false
  kms_key_arn    = local.kms_key_arn
  tags           = local.tags
}

module "log_groups" {
  source = "../log_groups"

  create                   = var.create
  environment              = var.environment
  name_prefix              = local.name_prefix
  retention_in_days        = local.log_retention_in_days
  create_kms_key           = false
  kms_key_arn              = local.kms_key_arn
  create_query_definitions = var.aws_only_features
  tags                     = local.tags
}

module "dead_letter_queue" {
  source = "../dead_letter_queue"

  create               = var.create
  name_prefix          = local.name_prefix
  name                 = "records"
  create_source_queue  = true
  create_kms_key       = false
  kms_key_arn          = local.kms_key_arn
  alarms               = local.alarms_of.queue
  alarm_topic_arns     = module.notifications.topic_arns
  alarm_period_seconds = var.alarm_period_seconds
  tags                 = local.tags
}
