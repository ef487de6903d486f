# Upgrades from v0.1 (CHANGELOG.md 0.2.0, docs/upgrades/UPGRADE-0.2.md): addresses that changed, moved so
# that an existing state upgrades without destroying anything.

# The audit trail's key (chained through modules/audit_trail's own move) becomes the environment's one key:
# the audit events it encrypted stay readable. The other v0.1 keys are forgotten by their modules, not
# destroyed (see their removed blocks).
moved {
  from = module.audit_trail.module.kms_key[0].aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this[0]
}

# The remediation Lambda's alarms were critical (alarm_severity = "critical"); modules/lambda_function moves
# a v0.1 alarm to <signal>-warning, and here it moves on to <signal>-critical (same alarm name).
moved {
  from = module.remediation.aws_cloudwatch_metric_alarm.this["errors-warning"]
  to   = module.remediation.aws_cloudwatch_metric_alarm.this["errors-critical"]
}

moved {
  from = module.remediation.aws_cloudwatch_metric_alarm.this["dead_letters-warning"]
  to   = module.remediation.aws_cloudwatch_metric_alarm.this["dead_letters-critical"]
}
