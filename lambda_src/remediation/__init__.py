"""The remediation Lambda: retry failed Glue runs, escalate stale data, redrive dead-letter queues."""
