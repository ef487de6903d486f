# Upgrades from v0.1 (docs/upgrades/UPGRADE-0.2.md): each environment called job_monitoring itself; the
# composition calls it now.
moved {
  from = module.jobs
  to   = module.monitoring.module.job_monitoring
}
