# The signal catalog (signals.json) and what follows from it before any resource: the signals the `alarms`
# input and jobs[*].alarms take, and their checks. The Lambdas read the same file (lambda_src/common/alarms.py).

locals {
  catalog    = jsondecode(file("${path.module}/signals.json"))
  severities = local.catalog.severities

  # the signals an override may name (the roll-ups, health and SLO burn rates, come from jobs[*] instead)
  alarm_signals = { for k, s in local.catalog.signals : k => s if s.configurable }
  signal_keys   = sort(keys(local.alarm_signals))

  # The check of one override object, written once (override_problems.tftpl) for the validations of `alarms` and
  # of jobs[*].alarms: templatefile(local.override_check, { where, o, sig, signals, alarm_period_seconds }) renders
  # one line per problem (field, what is allowed, what was given), none when the object is valid. A validation
  # cannot read a local that reads its own variable, so the check is a template and not a list of locals.
  override_check = "${path.module}/override_problems.tftpl"

  # what the freshness check of var.jobs compares a job's schedule with when the job sets no threshold of its own
  freshness_defaults = {
    enabled    = coalesce(try(var.alarms.data_freshness.enabled, null), true)
    thresholds = try(var.alarms.data_freshness.thresholds, null) != null ? var.alarms.data_freshness.thresholds : tomap(local.alarm_signals.data_freshness.defaults.thresholds)
  }

  # Jobs given as null are refused by the first validation of var.jobs; everything else skips them.
  jobs = { for k, j in var.jobs : k => j if j != null }
}
