# create = false: the module plans and applies nothing, and its outputs are null or empty.

module "notifications" {
  source = "../../"

  create      = false
  name_prefix = "ex-notify-disabled"
  subscriptions = {
    oncall = { severity = "critical", protocol = "email", endpoint = "oncall@example.com" }
  }
}

output "all" {
  description = "Every output of the module (null or empty)."
  value       = module.notifications
}
