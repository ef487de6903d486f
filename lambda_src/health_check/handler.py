"""Scheduled health check: `lambda_src.health_check.handler.lambda_handler`.

The same checks as `python -m tools.health_check` (settings from HEALTH_* variables). Logs the table,
counts the results as metrics, and publishes the table to ALERT_TOPIC_ARN (warning) when unhealthy, and to
SUMMARY_TOPIC_ARN (info) every time when that is set.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambda_src.common import aws
from lambda_src.common.notify import subject
from lambda_src.health_check.checks import HealthConfig, exit_code, render_table, run_checks

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    environment = os.environ.get("ENVIRONMENT", "dev")
    metrics.set_default_dimensions(Environment=environment)
    results = run_checks(HealthConfig.from_env())
    code = exit_code(results)
    table = render_table(results)
    counts = Counter(r.status for r in results)
    for status, name in (
        ("OK", "HealthChecksPassed"),
        ("WARN", "HealthChecksWarned"),
        ("FAIL", "HealthChecksFailed"),
        ("ERROR", "HealthChecksErrored"),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts[status])
    status = "healthy" if code == 0 else "unhealthy"
    logger.info("health_check", extra={"status": status, "exit_code": code, "results": [r.as_dict() for r in results]})
    title = subject(f"[{environment}] Daily ETL health check: {status.upper()}")
    published = []
    for topic, when in (
        (os.environ.get("ALERT_TOPIC_ARN", ""), code != 0),
        (os.environ.get("SUMMARY_TOPIC_ARN", ""), True),
    ):
        if topic and when:
            aws.client("sns").publish(TopicArn=topic, Subject=title, Message=table)
            published.append(topic)
    return {"status": status, "exit_code": code, "published_to": published, "results": [r.as_dict() for r in results]}
