output "job_name" {
  description = "Name of the Glue job (<name_prefix>-<name>): what job_monitoring, the remediation Lambda and the \"Glue Job State Change\" events know it by, and the framework's --JOB_NAME."
  value       = try(aws_glue_job.this[0].name, null)
}

output "job_arn" {
  description = "ARN of the Glue job (for the remediation Lambda's glue:StartJobRun and glue:GetJobRun)."
  value       = try(aws_glue_job.this[0].arn, null)
}

output "role_name" {
  description = "Name of the job's role (the job name, cut to 64 characters with a hash when longer)."
  value       = try(aws_iam_role.this[0].name, null)
}

output "role_arn" {
  description = "ARN of the job's role (for key and bucket policies that must let the job in)."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_policy_json" {
  description = "The role's inline policy document (JSON): everything the job may do, one Sid per reason."
  value       = try(data.aws_iam_policy_document.role[0].json, null)
}

output "script_s3_uri" {
  description = "s3:// URI of the uploaded script (the job's command.script_location)."
  value       = try("s3://${aws_s3_object.script[0].bucket}/${aws_s3_object.script[0].key}", null)
}

output "package_s3_uri" {
  description = "s3:// URI of the uploaded framework package (the job's --extra-py-files)."
  value       = try("s3://${aws_s3_object.package[0].bucket}/${aws_s3_object.package[0].key}", null)
}

output "default_arguments" {
  description = "The job's default arguments: the framework's (--environment, --audit_uri, --dlq_queue_url), --extra-py-files, Glue's metrics and log arguments, and job_arguments."
  value       = try(aws_glue_job.this[0].default_arguments, {})
}

output "log_group_names" {
  description = "The log groups the job writes to and its role may write to: Glue 5.0 <log_group_prefix>/output (stdout: the framework's JSON lines) and <log_group_prefix>/error; Glue 4.0 <log_group_prefix>/logs-v2."
  value       = var.create ? local.log_group_names : []
}

output "dpus" {
  description = "DPUs a run holds: number_of_workers x the DPUs of worker_type (G.1X 1, G.2X 2, G.4X 4, G.8X 8)."
  value       = var.create ? local.dpus : null
}

output "usd_per_hour" {
  description = "What an hour of a run costs in USD: dpus x dpu_hour_price_usd (default: the us-east-1 list price of the execution class, STANDARD 0.44, FLEX 0.29 per DPU-hour). Glue bills per second with a 1-minute minimum."
  value       = var.create ? local.usd_per_hour : null
}

output "max_usd_per_run" {
  description = "The most one run can cost in USD: usd_per_hour for timeout_minutes (a run that times out). Each of max_retries Glue retries can cost as much again."
  value       = var.create ? local.usd_per_hour * var.timeout_minutes / 60 : null
}
