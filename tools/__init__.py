"""Command-line tools of the project: dashboard previews, monitoring cost estimates, and helpers for the demo.

    python -m tools.dashboard_preview <plan.json | state.json | outputs.json | -> --out build/dashboards
    python -m tools.monitoring_cost --env dev=plan-dev.json --env prod=plan-prod.json
"""
