# create = false: the module plans and applies nothing, and its outputs are null or empty (the saved queries'
# text stays available to tools).

module "log_groups" {
  source = "../../"

  create      = false
  environment = "dev"
  name_prefix = "ex-log-groups-disabled"
}

output "all" {
  description = "Every output of the module (null or empty)."
  value       = module.log_groups
}
