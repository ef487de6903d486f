variable "artifacts_bucket" {
  description = "Bucket the example creates for the job's script and package."
  type        = string
  default     = "ex-glue-job-complete-artifacts"
}

variable "data_lake_bucket" {
  description = "Bucket of the job's input and output prefixes (not created: the role's statements name it)."
  type        = string
  default     = "ex-glue-job-complete-lake"
}

variable "audit_bucket" {
  description = "Bucket of the audit trail (not created: in an environment the audit_trail module owns it)."
  type        = string
  default     = "ex-glue-job-complete-audit"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = { Example = "glue_job/complete" }
}
