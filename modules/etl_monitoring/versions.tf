terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.80, < 6.0"
      configuration_aliases = [aws.us_east_1] # AWS/Billing and Cost Explorer live in us-east-1 only
    }
  }
}
