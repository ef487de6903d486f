variable "create" {
  description = "Create the resources of this module (false: create nothing; the outputs are null or empty)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every name: the job and its role are <name_prefix>-<name> (the role name cut to IAM's 64 characters with a hash when longer)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit; got \"${var.name_prefix}\"."
  }
}

variable "name" {
  description = "The job's own short name, after the prefix (e.g. customer_import): the Glue job is <name_prefix>-<name>, which Glue passes to the script as --JOB_NAME and the framework checks against its own rule (letters, digits, '_', '.', '-')."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,229}$", var.name))
    error_message = "name must be 1-230 letters, digits, '_', '.' or '-', starting with a letter or digit (with the prefix it stays within Glue's 255 characters and the framework's job-name rule); got ${jsonencode(var.name)}."
  }
}

variable "description" {
  description = "Description of the Glue job. null: what it is and who retries it, e.g. \"customer_import (prod): a glue_jobs framework job. Glue does not retry failed runs (max_retries 0): the remediation Lambda does, so a run is not retried twice.\""
  type        = string
  default     = null

  validation {
    condition     = var.description == null || try(length(var.description) >= 1 && length(var.description) <= 2048, false)
    error_message = "description must be null or 1-2048 characters (Glue's limit); got ${var.description == null ? "null" : "${length(var.description)} characters"}."
  }
}

# -- what runs ------------------------------------------------------------------------------------------

variable "script_path" {
  description = "Local path of the job's script: a file that runs a glue_jobs job, e.g. glue_jobs/examples/customer_import.py. Uploaded to <artifacts_prefix><job name>/<file name>; a changed file is uploaded again (source_hash)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^\\S+\\.py$", var.script_path))
    error_message = "script_path must be the path of a .py file (no spaces); got \"${var.script_path}\"."
  }

  validation {
    condition     = !var.create || try(fileexists(var.script_path), false)
    error_message = "script_path must name an existing file (relative to the directory terraform runs in); \"${var.script_path}\" does not exist."
  }
}

variable "package_path" {
  description = "Local path of the framework package: build/glue/glue_jobs.zip from `make glue-package` (glue_jobs and structlog, deterministic, so re-plans stay empty). Uploaded next to the script and given to Glue in --extra-py-files."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^\\S+\\.zip$", var.package_path))
    error_message = "package_path must be the path of a .zip file (no spaces), e.g. build/glue/glue_jobs.zip; got \"${var.package_path}\"."
  }

  validation {
    condition     = !var.create || try(fileexists(var.package_path), false)
    error_message = "package_path must name an existing file: run `make glue-package` (python -m tools.build_glue_package) first; \"${var.package_path}\" does not exist."
  }
}

variable "artifacts_bucket" {
  description = "Name of the existing S3 bucket the script and the package are uploaded to (encrypted with kms_key_arn when given, else with the bucket's default encryption)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket))
    error_message = "artifacts_bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit); got \"${var.artifacts_bucket}\"."
  }
}

variable "artifacts_prefix" {
  description = "Key prefix of the uploads in artifacts_bucket: \"\" or path segments each ending with '/'. The objects are <artifacts_prefix><name_prefix>-<name>/<file name>."
  type        = string
  default     = "glue-jobs/"
  nullable    = false

  validation {
    condition     = var.artifacts_prefix == "" || can(regex("^([A-Za-z0-9!_.'()=+,@-]+/)+$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be \"\" or path segments of letters, digits and !_.'()=+,@- each ending with '/' (no leading '/'), e.g. glue-jobs/; got \"${var.artifacts_prefix}\"."
  }
}

# -- how it runs ----------------------------------------------------------------------------------------

variable "glue_version" {
  description = "Glue version: 5.0 (Spark 3.5.4, Python 3.11: what the framework is built for) or 4.0 (Spark 3.3, Python 3.10). The log arguments differ: 5.0 gets --custom-logGroup-prefix, 4.0 continuous logging to <log_group_prefix>/logs-v2."
  type        = string
  default     = "5.0"
  nullable    = false

  validation {
    condition     = contains(["4.0", "5.0"], var.glue_version)
    error_message = "glue_version must be one of 4.0, 5.0; got \"${var.glue_version}\"."
  }
}

variable "worker_type" {
  description = "Worker type of the Spark ETL job: G.1X, G.2X, G.4X or G.8X (1, 2, 4, 8 DPU) with Glue 4.0 and 5.0. Glue 4.0+ also has G.12X, G.16X and R.1X-R.8X, but the AWS provider 5.x this module pins refuses them; G.025X (streaming), Z.2X (Ray) and Standard (Glue 1.0) do not run Spark ETL jobs."
  type        = string
  default     = "G.1X"
  nullable    = false

  validation {
    condition     = contains(lookup(local.worker_types_by_version, var.glue_version, []), var.worker_type)
    error_message = "worker_type must be one of ${join(", ", lookup(local.worker_types_by_version, var.glue_version, []))} with glue_version ${var.glue_version}; got \"${var.worker_type}\"."
  }
}

variable "number_of_workers" {
  description = "Number of workers of worker_type (the driver runs on one of them). At least 2; at most 1000, this module's bound against a typo (1000 G.1X workers cost 440 USD an hour)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.number_of_workers >= 2 && var.number_of_workers <= 1000 && floor(var.number_of_workers) == var.number_of_workers
    error_message = "number_of_workers must be a whole number from 2 to 1000 (a Spark job needs a driver and an executor; 1000 is this module's bound); got ${var.number_of_workers}."
  }
}

variable "execution_class" {
  description = "STANDARD (dedicated capacity, starts at once) or FLEX (spare capacity: cheaper, may start late; AWS allows it for Glue 3.0+ Spark ETL jobs on G.1X or G.2X workers). Set it explicitly in roots that run on the emulator (moto keeps the job only then)."
  type        = string
  default     = "STANDARD"
  nullable    = false

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.execution_class)
    error_message = "execution_class must be one of STANDARD, FLEX; got \"${var.execution_class}\"."
  }

  validation {
    condition     = var.execution_class != "FLEX" || contains(["G.1X", "G.2X"], var.worker_type)
    error_message = "execution_class FLEX runs on G.1X or G.2X workers only; got worker_type \"${var.worker_type}\" (use STANDARD, or one of those worker types)."
  }
}

variable "timeout_minutes" {
  description = "Minutes a run may take before Glue stops it (TIMEOUT). 60 by default rather than Glue's own default (480 minutes for 5.0, 2,880 for 4.0): a stuck run costs number_of_workers x DPUs x timeout (see max_usd_per_run)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 10080 && floor(var.timeout_minutes) == var.timeout_minutes
    error_message = "timeout_minutes must be a whole number from 1 to 10080 (7 days, Glue's limit); got ${var.timeout_minutes}."
  }
}

variable "notify_delay_after_minutes" {
  description = "Minutes after a run starts after which Glue emits a \"Glue Job Run Status\" event (the run is late), before it times out. null: 80 % of timeout_minutes (at least 1)."
  type        = number
  default     = null

  validation {
    condition     = var.notify_delay_after_minutes == null || try(var.notify_delay_after_minutes >= 1 && var.notify_delay_after_minutes < var.timeout_minutes && floor(var.notify_delay_after_minutes) == var.notify_delay_after_minutes, false)
    error_message = "notify_delay_after_minutes must be null or a whole number from 1 to timeout_minutes - 1 (${var.timeout_minutes - 1}); got ${var.notify_delay_after_minutes == null ? "null" : var.notify_delay_after_minutes}."
  }
}

variable "max_retries" {
  description = "Times Glue itself retries a failed run. 0 by default: the remediation Lambda owns retries (one retry per failure event, with backoff, then escalation), so a failed run is not retried twice. At most 10."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.max_retries >= 0 && var.max_retries <= 10 && floor(var.max_retries) == var.max_retries
    error_message = "max_retries must be a whole number from 0 to 10 (0: the remediation Lambda retries); got ${var.max_retries}."
  }
}

variable "max_concurrent_runs" {
  description = "Runs of the job that may run at the same time; Glue refuses a start beyond it. The upper bound is the account's Glue quota."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.max_concurrent_runs >= 1 && floor(var.max_concurrent_runs) == var.max_concurrent_runs
    error_message = "max_concurrent_runs must be a whole number of at least 1 (the upper bound is the account's Glue quota); got ${var.max_concurrent_runs}."
  }
}

# -- the framework's arguments --------------------------------------------------------------------------

variable "environment" {
  description = "The framework's --environment: dev, staging or prod. Its metrics go to the namespace Glue/ETL/<environment>, which the role may publish to ('local' is for runs outside Glue)."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod (the framework's environments that send to AWS); got \"${var.environment}\"."
  }
}

variable "audit_uri" {
  description = "The framework's --audit_uri: s3://<bucket>[/<prefix>] of the audit trail (the audit_trail module's audit_uri output). The role may write this job's objects under it and read its own schema."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+,@-]+)*/?$", var.audit_uri))
    error_message = "audit_uri must be s3://<bucket>[/<prefix>] with a valid bucket name and a prefix of letters, digits and !_.'()=+,@- separated by '/' (no * or ?); got \"${var.audit_uri}\"."
  }
}

variable "dlq_queue_url" {
  description = "The framework's --dlq_queue_url: the dead-letter queue of the rejected records (the dead_letter_queue module's dlq_url), in the provider's region. The role may send to it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^https?://[^\\s/]+/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?$", var.dlq_queue_url))
    error_message = "dlq_queue_url must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account id>/<queue name>); got \"${var.dlq_queue_url}\"."
  }
}

variable "job_arguments" {
  description = "More default arguments of the job: its own (e.g. --input_path), the framework's optional ones (--dlq_max_inline_records, --track_step_rows, ...) or Glue's (e.g. --job-bookmark-option). Keys are --<name>; the keys this module sets and those Glue reserves are refused (see the README)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.job_arguments) : can(regex("^--[A-Za-z][A-Za-z0-9_.-]*$", k))])
    error_message = "job_arguments keys must be --<name> (a letter, then letters, digits, '_', '.', '-'); got: ${join(", ", [for k in keys(var.job_arguments) : k if !can(regex("^--[A-Za-z][A-Za-z0-9_.-]*$", k))])}."
  }

  validation {
    condition     = length(setintersection(keys(var.job_arguments), local.reserved_argument_keys)) == 0
    error_message = "job_arguments must not set ${join(", ", sort(setintersection(keys(var.job_arguments), local.reserved_argument_keys)))}: the module sets it from its inputs, or Glue reserves it. Reserved: ${join(", ", local.reserved_argument_keys)}."
  }
}

# -- data the role may touch ----------------------------------------------------------------------------

variable "input_uris" {
  description = "S3 prefixes the job reads, as s3://<bucket>/<prefix>/ (ending with '/'): the role may list them and read their objects."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.input_uris : can(regex(local.s3_prefix_uri_pattern, u))])
    error_message = "input_uris must be s3://<bucket>/<prefix>/ URIs: a valid bucket name and at least one path segment of letters, digits and !_.'()=+,@- ending with '/' (no * or ?); got: ${join(", ", [for u in var.input_uris : u if !can(regex(local.s3_prefix_uri_pattern, u))])}."
  }
}

variable "output_uris" {
  description = "S3 prefixes the job writes, as s3://<bucket>/<prefix>/: the role may list them and put, read and delete their objects (Spark's committer lists, reads and deletes under the output prefix)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.output_uris : can(regex(local.s3_prefix_uri_pattern, u))])
    error_message = "output_uris must be s3://<bucket>/<prefix>/ URIs: a valid bucket name and at least one path segment of letters, digits and !_.'()=+,@- ending with '/' (no * or ?); got: ${join(", ", [for u in var.output_uris : u if !can(regex(local.s3_prefix_uri_pattern, u))])}."
  }
}

variable "spark_ui_event_logs_uri" {
  description = "Turn on Glue's Spark UI: the S3 folder (s3://bucket/prefix/, ending with '/') where Glue writes the Spark event logs that the Spark history server (the Glue console, or a local one) reads. null = off."
  type        = string
  default     = null

  validation {
    condition     = var.spark_ui_event_logs_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.'()=+,@-]+/)+$", coalesce(var.spark_ui_event_logs_uri, "-")))
    error_message = "spark_ui_event_logs_uri must be an S3 folder s3://<bucket>/<prefix>/ (a prefix of letters, digits and !_.'()=+,@-, ending with '/'), or null for no Spark UI; got ${jsonencode(var.spark_ui_event_logs_uri)}."
  }
}

variable "kms_key_arn" {
  description = "The environment's customer-managed KMS key: what encrypts the dead-letter queue, the audit bucket and the data the job reads and writes. The role may Decrypt and GenerateDataKey with it, and the uploads are encrypted with it. null: none of them uses a customer-managed key (this module creates no key: it owns no data at rest besides the uploads)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; an alias cannot be granted in an IAM policy); got ${jsonencode(var.kms_key_arn)}."
  }
}

# -- logs -----------------------------------------------------------------------------------------------

variable "log_group_prefix" {
  description = "Prefix of the environment's Glue log groups (the log_groups module's glue_log_group_prefix output, /aws-glue/jobs/<name_prefix> there by default): Glue 5.0 gets --custom-logGroup-prefix <prefix> and writes to <prefix>/output and <prefix>/error; Glue 4.0 logs continuously to <prefix>/logs-v2. The groups are created by the log_groups module; the role may write to them only."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./#-]{0,398}[A-Za-z0-9_#-]$", var.log_group_prefix)) && !contains(["/aws-glue/jobs", "/aws-glue"], var.log_group_prefix)
    error_message = "log_group_prefix must start with /, not end with /, hold only A-Z a-z 0-9 _ - / . # (at most 400 characters, Glue's limit), and not be /aws-glue/jobs or /aws-glue (Glue's account-wide groups belong to every job of the account); got \"${var.log_group_prefix}\"."
  }
}

# -- price ----------------------------------------------------------------------------------------------

variable "dpu_hour_price_usd" {
  description = "USD per DPU-hour for the price outputs. null: the us-east-1 list price of the execution class for Spark ETL jobs (STANDARD 0.44, FLEX 0.29; https://aws.amazon.com/glue/pricing/); set it for another region."
  type        = number
  default     = null

  validation {
    condition     = var.dpu_hour_price_usd == null || try(var.dpu_hour_price_usd > 0, false)
    error_message = "dpu_hour_price_usd must be null or a price above 0 (USD per DPU-hour); got ${var.dpu_hour_price_usd == null ? "null" : var.dpu_hour_price_usd}."
  }
}

variable "tags" {
  description = "Tags merged into every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
