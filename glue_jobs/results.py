"""What a run hands back: ``LoadResult`` (returned by a job's ``load``) and ``JobResult`` (returned by ``run``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from glue_jobs.contract import AuditStatus
from glue_jobs.quality import QualityReport
from glue_jobs.stages import StageStats


@dataclass(frozen=True)
class LoadResult:
    """What ``load`` returns: where the data went, and the row count if the sink knows it.

    ``records_written`` is only the fallback for sinks that bypass the DataFrame writer (the observation
    then never fires); with ``df.write`` the framework counts the rows itself.
    """

    output_paths: tuple[str, ...] = ()
    records_written: int | None = None


@dataclass
class StoredOverflow:
    """What writing the rejected records beyond the inline ones (to the audit store) did."""

    records_uri: str
    expected: int
    """Rejected records minus those sent inline: what should be at ``records_uri``."""
    written: int | None = None
    """What the write reported (its observation); None when it failed."""
    rule_counts: dict[str, int] = field(default_factory=dict)
    """Records at ``records_uri`` per failed rule (when the write failed: expected, quarantining rules only)."""
    error: str | None = None

    @property
    def stored(self) -> bool:
        return self.error is None


@dataclass
class JobResult:
    """The outcome of a run, with what it emitted (for callers, tests and the benchmark)."""

    job_name: str
    job_run_id: str
    trace_id: str
    correlation_id: str
    status: AuditStatus = AuditStatus.RUNNING
    duration_seconds: float = 0.0
    records_processed: int | None = None
    output_paths: tuple[str, ...] = ()
    quality: QualityReport | None = None
    stages: dict[str, StageStats] = field(default_factory=dict)
    schema_changed: bool | None = None
    """Whether the input or the output schema changed (None: not checked, no audit store)."""
    schema_changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """By side (``input``, ``output``): what was added, removed or retyped; only the sides that changed."""
    data_age_hours: float | None = None
    dlq_sent: int = 0
    dlq_calls: int = 0
    dlq_inline: int = 0
    """Rejected records sent to the DLQ one message each (at most --dlq_max_inline_records)."""
    rejected_overflow: StoredOverflow | None = None
    """The other rejected records, written to the audit store; None when all fitted inline."""
    metric_calls: int = 0
    trace_calls: int = 0
    spark_job_ids: list[int] = field(default_factory=list)
    audit_objects: list[str] = field(default_factory=list)
    error: BaseException | None = None
