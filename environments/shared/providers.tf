provider "aws" {
  region = var.aws_region
}

# AWS/Billing and Cost Explorer live in us-east-1 only.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
