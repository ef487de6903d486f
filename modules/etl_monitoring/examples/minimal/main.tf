# The whole stack with its defaults, as another team would start with it.
terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.80, < 6.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}

module "etl_monitoring" {
  source = "../../"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment                     = "ex"
  name_prefix                     = "ex-etl-minimal"
  jobs                            = { customer_import = { glue_job_name = "ex-customer-import" } }
  monthly_limit_usd               = 100
  force_destroy_audit_bucket      = true
  kms_key_deletion_window_in_days = 7
  # where `make lambdas` writes the zips, from this folder (or from a root that calls it)
  lambda_build_dir  = "${path.module}/../../../../build/lambda"
  aws_only_features = var.aws_only_features
}

variable "aws_only_features" {
  description = "Create what the AWS emulators cannot (Budgets, X-Ray rules, saved queries ...)."
  type        = bool
  default     = true
}
