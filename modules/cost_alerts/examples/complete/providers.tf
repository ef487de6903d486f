provider "aws" {
  region = "us-east-1"
}

# AWS/Billing and Cost Explorer are in us-east-1 only.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
