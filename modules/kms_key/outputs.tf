output "kms_key_arn" {
  description = "ARN of the key (null when create = false)."
  value       = try(aws_kms_key.this[0].arn, null)
}

output "kms_key_id" {
  description = "Id of the key."
  value       = try(aws_kms_key.this[0].key_id, null)
}

output "kms_key_alias" {
  description = "The key's alias: alias/<name_prefix>[-<name>]."
  value       = try(aws_kms_alias.this[0].name, null)
}

output "policy_json" {
  description = "The key policy."
  value       = try(data.aws_iam_policy_document.this[0].json, null)
}
