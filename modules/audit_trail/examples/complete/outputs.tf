output "bucket_name" {
  description = "The audit bucket."
  value       = module.audit_trail.bucket_name
}

output "audit_uri" {
  description = "The jobs' --audit_uri."
  value       = module.audit_trail.audit_uri
}

output "kms_key_arn" {
  description = "The audit trail's key."
  value       = module.audit_trail.kms_key_arn
}

output "database_name" {
  description = "The Glue catalog database."
  value       = module.audit_trail.database_name
}

output "table_locations" {
  description = "S3 location by table."
  value       = module.audit_trail.table_locations
}

output "workgroup_name" {
  description = "The Athena workgroup."
  value       = module.audit_trail.workgroup_name
}

output "athena_results_uri" {
  description = "Where query results go."
  value       = module.audit_trail.athena_results_uri
}

output "named_query_ids" {
  description = "Named query id by query."
  value       = module.audit_trail.named_query_ids
}

output "writer_policy_json" {
  description = "The writers' policy."
  value       = module.audit_trail.writer_policy_json
}

output "reader_policy_arn" {
  description = "The readers' managed policy."
  value       = aws_iam_policy.reader.arn
}
