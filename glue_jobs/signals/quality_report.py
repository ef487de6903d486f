"""The quality report's signals: the ``data_quality_evaluated`` line and ``DataQualityScore``,
``ValidationPassRate``, ``RecordsFailedValidation``."""

from __future__ import annotations

from typing import Any

from glue_jobs.contract import Metric
from glue_jobs.metrics import MetricsBuffer
from glue_jobs.quality import QualityReport
from glue_jobs.signals.stage_metrics import rounded


def emit_quality_report(report: QualityReport, log: Any, metrics: MetricsBuffer) -> None:
    log.info(
        "data_quality_evaluated",
        data_quality_score=rounded(report.score),
        **{f"{d.value}_score": rounded(s) for d, s in report.dimension_scores.items()},
        rules_passed_ratio=rounded(report.rules_passed_ratio),
        validation_pass_rate=rounded(report.validation_pass_rate),
        records_checked=report.records_checked,
        records_failed=report.records_failed,
        rules=[r.as_dict() for r in report.rules],
    )
    if report.score is not None:
        metrics.put(Metric.DATA_QUALITY_SCORE, report.score)
    if report.validation_pass_rate is not None:
        metrics.put(Metric.VALIDATION_PASS_RATE, report.validation_pass_rate)
    metrics.put(Metric.RECORDS_FAILED_VALIDATION, report.records_failed)
