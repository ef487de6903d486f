"""The audit trail the job framework writes to S3 (docs/metrics.md, "Audit events"):
JSON lines under `s3://<bucket>/<prefix>/<table>/year=YYYY/month=MM/day=DD/`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from lambda_src.common.glue_runs import utc

TABLES = ("job_events", "data_quality_events")
DATA_QUALITY_TABLE = "data_quality_events"
DATA_QUALITY_EVENT_FIELDS = (
    "job_name",
    "job_run_id",
    "timestamp",
    "quality_score",
    "completeness_score",
    "uniqueness_score",
    "validity_score",
    "consistency_score",
    "validation_pass_rate",
    "records_checked",
    "records_failed",
)
"""The data_quality_events table's columns, in order: glue_jobs.contract's, which the zips do not carry
(tests/lambdas/test_data_quality_route.py holds the two, and the table's schema, together)."""


def day_prefix(prefix: str, table: str, day: date) -> str:
    """``<prefix>/<table>/year=YYYY/month=MM/day=DD/``: the partition of a UTC day (what the Glue tables'
    partition projection reads)."""
    return f"{prefix.strip('/')}/{table}/year={day:%Y}/month={day:%m}/day={day:%d}/".lstrip("/")


def day_prefixes(prefix: str, table: str, start: datetime, end: datetime) -> Iterator[str]:
    day = start.date()
    while day <= end.date():
        yield day_prefix(prefix, table, day)
        day += timedelta(days=1)


def read_events(
    s3: Any, bucket: str, prefix: str, table: str, start: datetime, end: datetime, bad_lines: list[str] | None = None
) -> list[dict[str, Any]]:
    """Events of `table` with a timestamp in [start, end). Lines that are not JSON objects are skipped
    and reported in `bad_lines` (object key and line number)."""
    events: list[dict[str, Any]] = []
    for day_prefix in day_prefixes(prefix, table, start, end):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=day_prefix):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8", "replace")
                for n, line in enumerate(body.splitlines(), 1):
                    if not line.strip():
                        continue
                    try:
                        event = json.loads(line)
                        ts = utc(event["timestamp"])
                    except (ValueError, KeyError, TypeError):
                        if bad_lines is not None:
                            bad_lines.append(f"{obj['Key']}:{n}")
                        continue
                    if isinstance(event, dict) and ts and start <= ts < end:
                        events.append(event)
    return events
