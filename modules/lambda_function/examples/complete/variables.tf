variable "job_names" {
  description = "Glue jobs the operations Lambdas look after."
  type        = list(string)
  default     = ["ex-lambda-complete-orders", "ex-lambda-complete-customers"]
}

variable "dlq_names" {
  description = "Dead-letter queues the remediation may redrive and the health check watches."
  type        = list(string)
  default     = ["ex-lambda-complete-records-dlq"]
}

variable "dlq_source_queue_names" {
  description = "Source queues of those dead-letter queues (where redriven messages go)."
  type        = list(string)
  default     = ["ex-lambda-complete-records"]
}

variable "operations_bucket" {
  description = "Bucket of the remediation claims and of the weekly reports."
  type        = string
  default     = "ex-lambda-function-complete-operations"
}

variable "data_lake_bucket" {
  description = "Bucket of the audit trail and of the job outputs."
  type        = string
  default     = "ex-lambda-function-complete-lake"
}

variable "freshness_hours" {
  description = "Output prefix -> maximum age in hours, for the health check."
  type        = map(number)
  default     = { "silver/orders/" = 26, "silver/customers/" = 26 }
}

variable "alarm_name_prefix" {
  description = "name_prefix of the job_monitoring alarms (<prefix>-<job>-<signal>-<severity>)."
  type        = string
  default     = "ex-lambda-complete"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = { Example = "lambda_function/complete" }
}
