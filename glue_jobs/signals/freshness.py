"""Volume and freshness: ``RecordsProcessed`` and ``DataAgeHours`` (load end − newest loaded record)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from glue_jobs.contract import Metric
from glue_jobs.logs import iso_utc
from glue_jobs.metrics import MetricsBuffer


def emit_records_processed(records: int | None, metrics: MetricsBuffer) -> None:
    if records is not None:
        metrics.put(Metric.RECORDS_PROCESSED, records)


def emit_data_age(column: str, newest_micros: int, load_end: datetime, log: Any, metrics: MetricsBuffer) -> float:
    """``newest_micros``: the newest value of ``column`` in the loaded data, epoch microseconds."""
    age = (load_end.timestamp() - newest_micros / 1e6) / 3600
    metrics.put(Metric.DATA_AGE_HOURS, age)
    log.info(
        "data_freshness",
        freshness_column=column,
        newest_record=iso_utc(datetime.fromtimestamp(newest_micros / 1e6, UTC)),
        data_age_hours=round(age, 4),
    )
    return age
