"""Example jobs built on glue_jobs (``python -m glue_jobs.examples.customer_import --help``)."""
