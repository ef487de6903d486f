"""Schema changes: the output schema (names and types) against the last known one; ``SchemaChanges`` 0/1
and a ``schema_changed`` line with what was added, removed or changed type."""

from __future__ import annotations

from typing import Any

from glue_jobs.audit import schema_diff, schema_fields
from glue_jobs.contract import Metric
from glue_jobs.metrics import MetricsBuffer


def check_schema(previous: dict[str, Any] | None, current: dict[str, Any], log: Any, metrics: MetricsBuffer) -> bool:
    """Whether the schema changed. ``previous`` is the schema store's document (None on a job's first run),
    ``current`` a ``StructType.jsonValue()``. The caller stores ``current`` when it changed or was new."""
    if previous is None:
        changed = False
        log.info("schema_recorded", columns=len(current.get("fields", [])))
    else:
        diff = schema_diff(schema_fields(previous.get("schema", {})), schema_fields(current))
        changed = any(diff.values())
        if changed:
            log.warning("schema_changed", previous_job_run_id=previous.get("job_run_id"), **diff)
    metrics.put(Metric.SCHEMA_CHANGES, 1 if changed else 0)
    return changed
