output "built" {
  description = "Whether the script and the package were found (make glue-package); no job without them."
  value       = local.built
}

output "job_name" {
  description = "Name of the Glue job."
  value       = module.customer_import.job_name
}

output "job_arn" {
  description = "ARN of the Glue job."
  value       = module.customer_import.job_arn
}

output "role_name" {
  description = "Name of the job's role."
  value       = module.customer_import.role_name
}

output "role_arn" {
  description = "ARN of the job's role."
  value       = module.customer_import.role_arn
}

output "role_policy_json" {
  description = "The role's policy document."
  value       = module.customer_import.role_policy_json
}

output "script_s3_uri" {
  description = "Where the script was uploaded."
  value       = module.customer_import.script_s3_uri
}

output "package_s3_uri" {
  description = "Where the framework package was uploaded."
  value       = module.customer_import.package_s3_uri
}

output "default_arguments" {
  description = "The job's default arguments."
  value       = module.customer_import.default_arguments
}

output "log_group_names" {
  description = "The log groups the job writes to."
  value       = module.customer_import.log_group_names
}

output "dpus" {
  description = "DPUs a run holds."
  value       = module.customer_import.dpus
}

output "usd_per_hour" {
  description = "What an hour of a run costs (USD, us-east-1 list price)."
  value       = module.customer_import.usd_per_hour
}

output "max_usd_per_run" {
  description = "The most a run costs (a run that times out)."
  value       = module.customer_import.max_usd_per_run
}

output "fixtures" {
  description = "The fixtures the job is wired to: artifacts bucket, dead-letter queue, key."
  value = {
    artifacts_bucket = aws_s3_bucket.artifacts.bucket
    dlq_queue_url    = aws_sqs_queue.dlq.url
    dlq_queue_arn    = aws_sqs_queue.dlq.arn
    kms_key_arn      = aws_kms_key.environment.arn
  }
}
