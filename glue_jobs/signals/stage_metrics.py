"""Per-stage signals: row counts from the observations, ``*_phase_completed`` / ``step_completed`` lines,
``StageDurationSeconds`` and ``StageThroughput``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glue_jobs.contract import Metric, Phase, phase_completed_event
from glue_jobs.metrics import MetricsBuffer
from glue_jobs.stage_tracker import PHASES, StageTracker
from glue_jobs.stages import StageStats


def fill_rows(
    tracker: StageTracker, observed: Mapping[str, dict[str, Any] | None], records_written: int | None
) -> StageStats:
    """Give each stage its observed rows (the load falls back to ``records_written``) and the Spark time
    that produced them: its own when it ran Spark jobs, else the load's. Returns the load's stats."""
    load = tracker.stats[Phase.LOAD.value]
    for name in tracker.order:
        stats = tracker.stats[name]
        values = observed.get(name)
        if values is not None:
            stats.records = int(values.get("rows") or 0)
        elif name == Phase.LOAD.value:
            stats.records = records_written
        stats.compute_seconds = load.duration_seconds if stats.lazy else stats.duration_seconds
    return load


def log_completed_stages(log: Any, tracker: StageTracker) -> None:
    """``<phase>_phase_completed`` / ``step_completed`` in stage order, once row counts exist (or the run
    failed: then the counts of lazy stages are unknown, null)."""
    for name in tracker.completed:
        stats = tracker.stats[name]
        event = phase_completed_event(Phase(name)).value if name in PHASES else "step_completed"
        log.info(
            event,
            stage=name,
            row_count=stats.records,
            processing_time_seconds=round(stats.duration_seconds, 6),
            spark_jobs=stats.spark_jobs,
            lazy=stats.lazy,
            throughput_records_per_second=rounded(stats.throughput),
        )


def put_stage_metrics(metrics: MetricsBuffer, tracker: StageTracker, *, with_throughput: bool) -> None:
    """``StageDurationSeconds`` for every stage that ran; ``StageThroughput`` where its rows are known."""
    for name in tracker.order:
        stats = tracker.stats[name]
        metrics.put(Metric.STAGE_DURATION_SECONDS, stats.duration_seconds, stage=name)
        if with_throughput and stats.throughput is not None:
            metrics.put(Metric.STAGE_THROUGHPUT, stats.throughput, stage=name)


def rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)
