"""The run's audit events, as calls to make on the I/O threads (``job_started`` is written synchronously by
the run itself: a wrong bucket must fail the run before any work)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glue_jobs.audit import AuditTrail
from glue_jobs.contract import AuditEventType, AuditStatus
from glue_jobs.quality import Dimension, QualityReport

AuditCall = Callable[[], Any]


def load_completed(audit: AuditTrail, records: int | None, output_paths: list[str]) -> AuditCall:
    return lambda: audit.job_event(
        AuditEventType.LOAD_COMPLETED, AuditStatus.SUCCESS, records_processed=records, output_paths=output_paths
    )


def data_quality(audit: AuditTrail, report: QualityReport) -> AuditCall:
    scores = report.dimension_scores
    return lambda: audit.data_quality_event(
        quality_score=report.score,
        completeness_score=scores[Dimension.COMPLETENESS],
        uniqueness_score=scores[Dimension.UNIQUENESS],
        validity_score=scores[Dimension.VALIDITY],
        consistency_score=scores[Dimension.CONSISTENCY],
        validation_pass_rate=report.validation_pass_rate,
        records_checked=report.records_checked,
        records_failed=report.records_failed,
    )


def job_completed(
    audit: AuditTrail,
    status: AuditStatus,
    records: int | None,
    output_paths: list[str],
    data_quality_score: float | None = None,
) -> AuditCall:
    return lambda: audit.job_event(
        AuditEventType.JOB_COMPLETED,
        status,
        records_processed=records,
        output_paths=output_paths,
        data_quality_score=data_quality_score,
    )
