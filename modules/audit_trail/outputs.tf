output "bucket_name" {
  description = "The audit bucket."
  value       = try(aws_s3_bucket.this[0].id, null)
}

output "bucket_arn" {
  description = "ARN of the audit bucket."
  value       = try(aws_s3_bucket.this[0].arn, null)
}

output "audit_uri" {
  description = "s3://<bucket>/<events_prefix>: the jobs' --audit_uri; the events land under <audit_uri>/<table>/year=YYYY/month=MM/day=DD/."
  value       = var.create ? "s3://${local.bucket}/${var.events_prefix}" : null
}

output "kms_key_arn" {
  description = "The KMS key of the bucket and the query results (created here or given)."
  value       = var.create ? local.kms_key_arn : null
}

output "database_name" {
  description = "The Glue catalog database of the audit tables."
  value       = try(aws_glue_catalog_database.this[0].name, null)
}

output "table_locations" {
  description = "S3 location of each table (job_events, data_quality_events), by table."
  value       = { for t, tbl in aws_glue_catalog_table.this : t => tbl.storage_descriptor[0].location }
}

output "workgroup_name" {
  description = "The Athena workgroup to run the audit queries in (its settings are enforced)."
  value       = try(aws_athena_workgroup.this[0].name, null)
}

output "athena_results_uri" {
  description = "Where the workgroup writes query results (KMS-encrypted, expired after athena_results_expiration_days)."
  value       = var.create ? "s3://${local.bucket}/${local.results_prefix}/" : null
}

output "named_query_ids" {
  description = "Athena named query id by query (job_success_rate, data_volume_trends, weekly_quality_trend)."
  value       = { for k, q in aws_athena_named_query.this : k => q.id }
}

output "query_files" {
  description = "The SQL file of each audit query, relative to the module (the text the named queries hold)."
  value       = var.create ? { for k in keys(local.queries) : k => "queries/${k}.sql" } : {}
}

output "writer_policy_json" {
  description = "IAM policy for the job roles that write audit events: s3:PutObject under the events prefix and the key through S3."
  value       = try(data.aws_iam_policy_document.writer[0].json, null)
}

output "reader_policy_json" {
  description = "IAM policy for the people and reports that run the audit queries: the workgroup, the catalog tables, the events, the results and the key."
  value       = try(data.aws_iam_policy_document.reader[0].json, null)
}
