"""The daily health check: success rates, DLQ depth and data freshness (CLI: python -m tools.health_check)."""
