"""Weekly report Lambda entry point: `lambda_src.weekly_report.handler.lambda_handler`.

Runs on a weekly EventBridge schedule. The period is the 7 days before the scheduled event's `time`
(or before now when invoked by hand). Publishes the readable summary to the info topic and writes the
full report (HTML with inline SVG charts, plus the numbers as JSON) to S3.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambda_src.common import aws
from lambda_src.common.audit import read_events
from lambda_src.common.glue_runs import job_names, job_runs, utc
from lambda_src.common.notify import subject
from lambda_src.weekly_report import render
from lambda_src.weekly_report.report import Report, build

logger = Logger()
metrics = Metrics()
tracer = Tracer()
SNS_LIMIT = 250_000  # bytes; SNS takes 256 KiB with the attributes


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def period_end(event: dict[str, Any] | None) -> datetime:
    """The scheduled event's time (so a late or repeated invocation reports the same week), else now."""
    when = None
    if isinstance(event, dict) and event.get("time"):
        try:
            when = utc(EventBridgeEvent(event).time)
        except ValueError:
            when = None
    return (when or datetime.now(UTC)).replace(microsecond=0)


@tracer.capture_method
def generate(end: datetime, days: int = 7) -> Report:
    environment = _env("ENVIRONMENT", "dev")
    price = float(_env("DPU_HOUR_PRICE", "0.44"))
    start = end - timedelta(days=days)
    prev_start = start - timedelta(days=days)
    glue = aws.client("glue")
    jobs = [j.strip() for j in _env("JOB_NAMES").split(",") if j.strip()] or job_names(glue)
    runs_by_job: dict[str, list[dict[str, Any]]] = {}
    prev_by_job: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        runs = job_runs(glue, job, prev_start, end)
        runs_by_job[job] = [r for r in runs if utc(r["StartedOn"]) >= start]
        prev_by_job[job] = [r for r in runs if utc(r["StartedOn"]) < start]
    job_events: list[dict[str, Any]] = []
    dq_events: list[dict[str, Any]] = []
    bad: list[str] = []
    notes: list[str] = []
    if _env("AUDIT_BUCKET"):
        s3 = aws.client("s3")
        prefix = _env("AUDIT_PREFIX", "audit")
        job_events = read_events(s3, _env("AUDIT_BUCKET"), prefix, "job_events", start, end, bad)
        dq_events = read_events(s3, _env("AUDIT_BUCKET"), prefix, "data_quality_events", start, end, bad)
    else:
        notes.append("AUDIT_BUCKET is not set: records processed and data quality are not reported.")
    if bad:
        notes.append(f"{len(bad)} audit line(s) were not JSON events and were skipped (first: {bad[0]}).")
        metrics.add_metric(name="AuditLinesSkipped", unit=MetricUnit.Count, value=len(bad))
    report = build(environment, start, end, price, runs_by_job, prev_by_job, job_events, dq_events)
    report.notes += notes
    return report


def publish(report: Report) -> dict[str, Any]:
    key_base = f"{_env('REPORT_PREFIX', 'reports/weekly').strip('/')}/{report.environment}/{report.period_end:%Y-%m-%d}"
    html_uri = None
    if _env("REPORT_BUCKET"):
        s3 = aws.client("s3")
        s3.put_object(
            Bucket=_env("REPORT_BUCKET"),
            Key=f"{key_base}.html",
            Body=render.html(report).encode(),
            ContentType="text/html; charset=utf-8",
        )
        s3.put_object(
            Bucket=_env("REPORT_BUCKET"),
            Key=f"{key_base}.json",
            Body=json.dumps(report.as_dict(), default=str, indent=2).encode(),
            ContentType="application/json",
        )
        html_uri = f"s3://{_env('REPORT_BUCKET')}/{key_base}.html"
    message = render.text(report, html_uri)
    if len(message.encode()) > SNS_LIMIT:
        message = message.encode()[: SNS_LIMIT - 200].decode("utf-8", "ignore") + (
            f"\n... (truncated; full report: {html_uri})"
        )
    message_id = None
    if _env("REPORT_TOPIC_ARN"):
        message_id = aws.client("sns").publish(
            TopicArn=_env("REPORT_TOPIC_ARN"),
            Subject=subject(
                f"[{report.environment}] Weekly ETL report {report.period_start:%Y-%m-%d} to "
                f"{report.period_end:%Y-%m-%d}"
            ),
            Message=message,
        )["MessageId"]
    return {"html_uri": html_uri, "message_id": message_id}


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.set_default_dimensions(Environment=_env("ENVIRONMENT", "dev"))
    report = generate(period_end(event), int(_env("PERIOD_DAYS", "7")))
    where = publish(report)
    metrics.add_metric(name="WeeklyReportsPublished", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="WeeklyReportRuns", unit=MetricUnit.Count, value=report.totals["runs"])
    logger.info(
        "weekly_report_published",
        extra={**where, "totals": report.totals, "recommendations": len(report.recommendations)},
    )
    return {**where, "totals": report.totals}
