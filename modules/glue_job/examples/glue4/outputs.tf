output "built" {
  description = "Whether the script and the package were found (make glue-package); no job without them."
  value       = local.built
}

output "job_name" {
  description = "Name of the Glue job."
  value       = module.customer_import.job_name
}

output "role_policy_json" {
  description = "The role's policy document."
  value       = module.customer_import.role_policy_json
}

output "default_arguments" {
  description = "The job's default arguments."
  value       = module.customer_import.default_arguments
}

output "log_group_names" {
  description = "The log group the job writes to (Glue 4.0: <prefix>/logs-v2)."
  value       = module.customer_import.log_group_names
}

output "dpus" {
  description = "DPUs a run holds (10 G.2X workers: 20)."
  value       = module.customer_import.dpus
}

output "usd_per_hour" {
  description = "What an hour of a run costs (USD, FLEX us-east-1 list price)."
  value       = module.customer_import.usd_per_hour
}

output "max_usd_per_run" {
  description = "The most a run costs (a run that times out)."
  value       = module.customer_import.max_usd_per_run
}
