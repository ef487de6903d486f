output "kms_key_arn" {
  description = "ARN of the key."
  value       = module.kms_key.kms_key_arn
}

output "kms_key_alias" {
  description = "The key's alias."
  value       = module.kms_key.kms_key_alias
}

output "policy_json" {
  description = "The key policy."
  value       = module.kms_key.policy_json
}
