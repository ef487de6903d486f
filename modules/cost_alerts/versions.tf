terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 6.0"
      # AWS/Billing metrics and Cost Explorer live in us-east-1 only: the caller passes a provider there.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
