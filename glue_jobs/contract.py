"""The signal contract of docs/metrics.md, as code.

Everything the framework emits takes its name from here, and the tests compare these tables with the
document, so a rename starts in docs/metrics.md and then lands here (and in the Terraform readers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

NAMESPACE_PREFIX: Final = "Glue/ETL/"
"""Custom metrics go to ``Glue/ETL/<environment>``."""

DIMENSION_JOB_NAME: Final = "JobName"
DIMENSION_ENVIRONMENT: Final = "Environment"
DIMENSION_STAGE: Final = "Stage"
BASE_DIMENSIONS: Final = (DIMENSION_JOB_NAME, DIMENSION_ENVIRONMENT)
"""On every metric, in this order. Never a run id or trace id: each distinct set is a billed stream."""

ENVIRONMENTS: Final = ("local", "dev", "staging", "prod")
"""Environments a job may run in; ``local`` prints metrics instead of sending them."""
LOCAL_ENVIRONMENT: Final = "local"


def namespace(environment: str) -> str:
    return f"{NAMESPACE_PREFIX}{environment}"


class Unit(StrEnum):
    """CloudWatch's own unit names (hours have none, so ``DataAgeHours`` is ``None``)."""

    COUNT = "Count"
    SECONDS = "Seconds"
    MILLISECONDS = "Milliseconds"
    PERCENT = "Percent"
    COUNT_PER_SECOND = "Count/Second"
    NONE = "None"


class Emitter(StrEnum):
    FRAMEWORK = "framework"  # glue_jobs, through PutMetricData
    LOG_FILTER = "log filter"  # a CloudWatch Logs metric filter on the JSON job log


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: Unit
    emitter: Emitter
    stage_dimension: bool = False


class Metric(StrEnum):
    JOBS_STARTED = "JobsStarted"
    JOBS_SUCCEEDED = "JobsSucceeded"
    JOBS_FAILED = "JobsFailed"
    JOB_DURATION_SECONDS = "JobDurationSeconds"
    RECORDS_PROCESSED = "RecordsProcessed"
    RECORDS_FAILED_VALIDATION = "RecordsFailedValidation"
    VALIDATION_PASS_RATE = "ValidationPassRate"
    DATA_QUALITY_SCORE = "DataQualityScore"
    DATA_AGE_HOURS = "DataAgeHours"
    SCHEMA_CHANGES = "SchemaChanges"
    STAGE_DURATION_SECONDS = "StageDurationSeconds"
    STAGE_THROUGHPUT = "StageThroughput"
    API_CALLS = "ApiCalls"
    API_ERRORS = "ApiErrors"
    API_LATENCY_MS = "ApiLatencyMs"


_F, _L = Emitter.FRAMEWORK, Emitter.LOG_FILTER
METRICS: Final[dict[Metric, MetricSpec]] = {
    spec.name: spec  # type: ignore[misc]
    for spec in (
        MetricSpec(Metric.JOBS_STARTED, Unit.COUNT, _L),
        MetricSpec(Metric.JOBS_SUCCEEDED, Unit.COUNT, _L),
        MetricSpec(Metric.JOBS_FAILED, Unit.COUNT, _L),
        MetricSpec(Metric.JOB_DURATION_SECONDS, Unit.SECONDS, _F),
        MetricSpec(Metric.RECORDS_PROCESSED, Unit.COUNT, _F),
        MetricSpec(Metric.RECORDS_FAILED_VALIDATION, Unit.COUNT, _F),
        MetricSpec(Metric.VALIDATION_PASS_RATE, Unit.PERCENT, _F),
        MetricSpec(Metric.DATA_QUALITY_SCORE, Unit.NONE, _F),
        MetricSpec(Metric.DATA_AGE_HOURS, Unit.NONE, _F),
        MetricSpec(Metric.SCHEMA_CHANGES, Unit.COUNT, _F),
        MetricSpec(Metric.STAGE_DURATION_SECONDS, Unit.SECONDS, _F, stage_dimension=True),
        MetricSpec(Metric.STAGE_THROUGHPUT, Unit.COUNT_PER_SECOND, _F, stage_dimension=True),
        MetricSpec(Metric.API_CALLS, Unit.COUNT, _F),
        MetricSpec(Metric.API_ERRORS, Unit.COUNT, _F),
        MetricSpec(Metric.API_LATENCY_MS, Unit.MILLISECONDS, _F),
    )
}
FRAMEWORK_METRICS: Final = frozenset(m for m, s in METRICS.items() if s.emitter is Emitter.FRAMEWORK)


class Phase(StrEnum):
    EXTRACT = "extract"
    TRANSFORM = "transform"
    LOAD = "load"


class LogEvent(StrEnum):
    """The ``event`` values the metric filters, dashboards and queries match."""

    JOB_STARTED = "job_started"
    EXTRACT_PHASE_COMPLETED = "extract_phase_completed"
    TRANSFORM_PHASE_COMPLETED = "transform_phase_completed"
    LOAD_PHASE_COMPLETED = "load_phase_completed"
    JOB_COMPLETED_SUCCESSFULLY = "job_completed_successfully"
    JOB_FAILED = "job_failed"


def phase_completed_event(phase: Phase) -> LogEvent:
    return LogEvent(f"{phase.value}_phase_completed")


LOG_EVENT_FIELDS: Final[dict[LogEvent, tuple[str, ...]]] = {
    LogEvent.JOB_STARTED: ("job_arguments",),
    LogEvent.EXTRACT_PHASE_COMPLETED: ("row_count", "processing_time_seconds"),
    LogEvent.TRANSFORM_PHASE_COMPLETED: ("row_count", "processing_time_seconds"),
    LogEvent.LOAD_PHASE_COMPLETED: ("row_count", "processing_time_seconds"),
    LogEvent.JOB_COMPLETED_SUCCESSFULLY: ("row_count", "processing_time_seconds", "data_quality_score"),
    LogEvent.JOB_FAILED: ("error_type", "error_message", "processing_time_seconds"),
}

LOG_LINE_FIELDS: Final = (
    "timestamp",
    "level",
    "job_name",
    "job_run_id",
    "environment",
    "event",
    "trace_id",
    "correlation_id",
)
"""Every log line carries these, in this order (``timestamp`` ISO 8601 UTC with ``Z``)."""


# -- audit trail -------------------------------------------------------------------------------------------

AUDIT_JOB_EVENTS_TABLE: Final = "job_events"
AUDIT_DATA_QUALITY_TABLE: Final = "data_quality_events"


class AuditEventType(StrEnum):
    JOB_STARTED = "job_started"
    LOAD_COMPLETED = "load_completed"
    JOB_COMPLETED = "job_completed"
    SCHEMA_CHANGED = "schema_changed"


class AuditStatus(StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    RUNNING = "RUNNING"


JOB_EVENT_FIELDS: Final = (
    "job_name",
    "job_run_id",
    "event_type",
    "timestamp",
    "status",
    "records_processed",
    "output_paths",
    "data_quality_score",
)


class SchemaSide(StrEnum):
    """Which schema of a run a ``schema_changed`` audit event is about: the DataFrame ``extract()`` returned
    (input) or the one the load wrote (output)."""

    INPUT = "input"
    OUTPUT = "output"


SCHEMA_CHANGE_FIELDS: Final = (
    "schema_side",
    "columns_added",
    "columns_removed",
    "columns_type_changed",
    "previous_job_run_id",
)
"""What a ``schema_changed`` job event carries after ``JOB_EVENT_FIELDS`` (the job_events table's columns; Athena
reads those, the whole line is in S3)."""

DATA_QUALITY_EVENT_FIELDS: Final = (
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
