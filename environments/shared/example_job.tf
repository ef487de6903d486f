# The framework's example job (glue_jobs/examples/customer_import.py) as every environment deploys it with
# modules/glue_job: its code, its sizing and its data, in the environment's data lake (local.lake, in the
# environment's main.tf). An environment merges its own differences in.

locals {
  example_job = {
    script_path                = "${path.root}/../../glue_jobs/examples/customer_import.py"
    package_path               = "${path.root}/../../build/glue/glue_jobs.zip" # make glue-package
    worker_type                = "G.1X"
    number_of_workers          = 2
    timeout_minutes            = 30
    notify_delay_after_minutes = 20 # "Glue Job Run Status": the job usually takes a few minutes
    input_uris                 = ["${local.lake}/raw/customers/"]
    output_uris                = ["${local.lake}/silver/customers/"]
    job_arguments = {
      "--input_path"  = "${local.lake}/raw/customers/"
      "--output_path" = "${local.lake}/silver/customers/"
    }
  }
}
