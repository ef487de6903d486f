"""The signals a run emits once its numbers exist, one module each, usable (and tested) on their own.

Each takes what it reports and where to (a logger, a ``MetricsBuffer``, an ``AuditTrail`` ...), never the
job or the run, so a test can call it with fakes. ``glue_jobs.run.JobRun`` calls them in order.
"""
