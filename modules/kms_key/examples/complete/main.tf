# The key of an environment: alert publishers, its log groups, and its services' use of it.

module "kms_key" {
  source = "../../"

  name_prefix                     = "ex-kms-key"
  log_group_names                 = ["/aws-glue/jobs/ex-kms-key/*", "/aws/lambda/ex-kms-key-*"]
  kms_key_deletion_window_in_days = 7
  tags                            = { Example = "kms_key/complete" }
}
