"""Schema changes, on both sides of a run: the input (what ``extract()`` returned) and the output (what the load
wrote), each against its last known schema (names and types). One code path for both: ``check_schema`` compares
one side and logs ``schema_recorded`` or ``schema_changed`` (with ``side``, added, removed, type_changed);
``put_schema_changes`` puts ``SchemaChanges`` once per run, the number of sides that changed (0, 1 or 2)."""

from __future__ import annotations

from typing import Any

from glue_jobs.audit import schema_diff, schema_fields
from glue_jobs.contract import Metric, SchemaSide
from glue_jobs.metrics import MetricsBuffer


def check_schema(
    previous: dict[str, Any] | None, current: dict[str, Any], log: Any, side: SchemaSide = SchemaSide.OUTPUT
) -> dict[str, list[str]] | None:
    """What changed on ``side`` (``{"added", "removed", "type_changed"}``), or None when nothing did.
    ``previous`` is the schema store's document (None on a job's first run: recorded, not a change),
    ``current`` a ``StructType.jsonValue()``. The caller stores ``current`` when it changed or was new."""
    if previous is None:
        log.info("schema_recorded", side=side.value, columns=len(current.get("fields", [])))
        return None
    diff = schema_diff(schema_fields(previous.get("schema", {})), schema_fields(current))
    if not any(diff.values()):
        return None
    log.warning("schema_changed", side=side.value, previous_job_run_id=previous.get("job_run_id"), **diff)
    return diff


def put_schema_changes(changed_sides: int, metrics: MetricsBuffer) -> None:
    """``SchemaChanges`` for the run: how many of its schemas (input, output) changed. One value a run, on the
    metric's usual dimensions (JobName, Environment), so the alarm and the dashboard read it as before."""
    metrics.put(Metric.SCHEMA_CHANGES, changed_sides)
