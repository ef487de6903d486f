variable "artifacts_bucket" {
  description = "The environment's bucket of job code (not created: this example is planned, not applied)."
  type        = string
  default     = "ex-glue-job-glue4-artifacts"
}

variable "audit_bucket" {
  description = "The audit trail's bucket, used whole (no prefix)."
  type        = string
  default     = "ex-glue-job-glue4-audit"
}

variable "kms_key_id" {
  description = "Id of the environment's KMS key in the caller's account and region."
  type        = string
  default     = "1234abcd-12ab-34cd-56ef-1234567890ab"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = { Example = "glue_job/glue4" }
}
