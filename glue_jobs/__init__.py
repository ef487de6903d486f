"""glue_jobs: an instrumented AWS Glue job framework (structured logs, batched metrics, X-Ray traces,
one-pass stage metrics, data quality, DLQ routing and an S3 audit trail). See glue_jobs/README.md."""

from glue_jobs.base_job import BaseJob
from glue_jobs.config import Arg, JobArgumentError, JobConfig
from glue_jobs.contract import AuditStatus, Metric, Phase, Unit
from glue_jobs.quality import (
    Between,
    Dimension,
    InSet,
    Matches,
    NotNull,
    QualityReport,
    Rule,
    RuleError,
    RuleSet,
    Satisfies,
    Unique,
)
from glue_jobs.results import JobResult, LoadResult
from glue_jobs.stage_tracker import Stage

__all__ = [
    "Arg",
    "AuditStatus",
    "BaseJob",
    "Between",
    "Dimension",
    "InSet",
    "JobArgumentError",
    "JobConfig",
    "JobResult",
    "LoadResult",
    "Matches",
    "Metric",
    "NotNull",
    "Phase",
    "QualityReport",
    "Rule",
    "RuleError",
    "RuleSet",
    "Satisfies",
    "Stage",
    "Unique",
    "Unit",
]
