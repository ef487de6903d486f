"""Rejected records, bounded on the driver: a few ride the rules' observation, the executors write the rest.

The rules' observation (quality.py) counts the rejected records and brings at most ``max_inline`` of them
per Spark task to the driver: each rejected record gets its position among its task's rejected records
(``monotonically_increasing_id`` inside ``CASE WHEN rejected``: the id's counter only moves for the rows
that reach it, so the low 33 bits count the task's rejected rows), and ``collect_list`` keeps those below
the bound. The driver keeps the first ``max_inline`` of them (task, then position), one DLQ message each.

When more were rejected, one more Spark action writes the others to the audit store as JSON lines
(``overflow_frame``, ``OverflowTarget``). It recomputes the lineage, so it identifies the records sent
inline by their content: each line is ``to_json(struct(failed_rules, record))``, the same text in both
passes, and identical records are told apart by counting them (a window over the line), so two equal
rejected records of which one went inline leave exactly one in the store.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from glue_jobs.audit import LocalStore, ObjectStore, S3Store

SEQUENCE = "__dq_rejected_seq"
"""Column: for a rejected record, its task's partition id (high bits) and its position among the task's
rejected records (low 33 bits); null for the others."""
_POSITION_BITS = (1 << 33) - 1
_LINE = "__dq_line"
_OCCURRENCE = "__dq_occurrence"


@dataclass(frozen=True)
class RejectedRecord:
    """One rejected record as the DLQ and the store carry it."""

    line: str
    """``{"failed_rules": [...], "record": {...}}`` exactly as Spark wrote it (the key of the record)."""
    failed_rules: list[str]
    record: dict[str, Any]

    @classmethod
    def parse(cls, line: str) -> RejectedRecord:
        data = json.loads(line)
        return cls(line, data["failed_rules"], data["record"])


def record_line(failed_rules: Column, columns: Sequence[str]) -> Column:
    return F.to_json(
        F.struct(failed_rules.alias("failed_rules"), F.struct(*(F.col(c) for c in columns)).alias("record"))
    )


def number_rejected(flagged: DataFrame, rejected: Column) -> DataFrame:
    """``flagged`` plus ``SEQUENCE``. Non-deterministic by nature: a filter above it is not pushed below it."""
    return flagged.withColumn(SEQUENCE, F.when(rejected, F.monotonically_increasing_id()))


def inline_sample(rejected: Column, line: Column, max_inline: int) -> Column:
    """The observation's aggregate: the first ``max_inline`` rejected records of each task, with their order."""
    first = rejected & (F.col(SEQUENCE).bitwiseAND(F.lit(_POSITION_BITS)) < F.lit(max_inline))
    picked = F.when(first, F.struct(F.col(SEQUENCE).alias("seq"), line.alias("line")))
    return F.to_json(F.collect_list(picked)).alias("rejected_sample")


def first_records(sample_json: str | None, max_inline: int) -> list[RejectedRecord]:
    """The ``max_inline`` records of the sample that come first (by task, then position)."""
    sample = sorted(json.loads(sample_json or "[]"), key=lambda s: s["seq"])
    return [RejectedRecord.parse(s["line"]) for s in sample[:max_inline]]


def overflow_frame(
    flagged: DataFrame, rejected: Column, failed_rules: Column, columns: Sequence[str], inline: Sequence[str]
) -> DataFrame:
    """The rejected records of ``flagged`` except the lines in ``inline`` (as many of each as were sent),
    as ``failed_rules``, ``record``: what the JSON writer turns into the same lines."""
    rows = flagged.filter(rejected).select(
        failed_rules.alias("failed_rules"),
        F.struct(*(F.col(c) for c in columns)).alias("record"),
        record_line(failed_rules, columns).alias(_LINE),
    )
    taken = Counter(inline)
    if taken:
        sent = F.create_map(*chain.from_iterable((F.lit(k), F.lit(n)) for k, n in taken.items()))
        occurrence = F.row_number().over(Window.partitionBy(_LINE).orderBy(F.lit(1)))
        rows = rows.withColumn(_OCCURRENCE, occurrence).filter(
            F.col(_OCCURRENCE) > F.coalesce(F.element_at(sent, F.col(_LINE)), F.lit(0))
        )
    return rows.select("failed_rules", "record")


def rule_counts(frame: DataFrame, rule_names: Sequence[str]) -> list[Column]:
    """Aggregates for the overflow write's own observation: its rows, and its records per failed rule."""
    return [
        F.count(F.lit(1)).alias("rows"),
        *(F.sum(F.array_contains("failed_rules", name).cast("long")).alias(name) for name in rule_names),
    ]


class OverflowTarget:
    """Where the overflow goes: ``<store>/rejected/job_name=<job>/job_run_id=<run>/``, JSON lines.

    Spark writes there itself when it can (S3 through EMRFS in Glue, a local directory). Local PySpark has no
    ``s3://`` filesystem: there (local mode only) the executors write to a local directory and the driver
    uploads the files, streaming them from disk.
    """

    def __init__(self, store: ObjectStore, job_name: str, job_run_id: str) -> None:
        self.store = store
        self.key = f"rejected/job_name={job_name}/job_run_id={job_run_id}"

    @property
    def uri(self) -> str:
        return f"{self.store.uri.rstrip('/')}/{self.key}/"

    def write(self, frame: DataFrame) -> None:
        """Write ``frame`` as JSON lines (error if the run's folder exists: a run writes it once)."""
        if isinstance(self.store, LocalStore):
            frame.write.mode("errorifexists").json(str(self.store.root / self.key))
        elif isinstance(self.store, S3Store) and not _spark_has_filesystem(frame, "s3"):
            self._write_through_driver(frame)
        else:
            frame.write.mode("errorifexists").json(self.uri)

    def _write_through_driver(self, frame: DataFrame) -> None:
        spark_context = frame.sparkSession.sparkContext
        if not spark_context.master.startswith("local"):
            raise RuntimeError(f"Spark has no filesystem for s3:// and is not local: it cannot write {self.uri}")
        if self.store.get(f"{self.key}/_SUCCESS") is not None:
            raise FileExistsError(f"{self.uri} already holds this run's rejected records")
        staging = Path(tempfile.mkdtemp(prefix="glue-jobs-rejected-"))
        try:
            frame.write.json(str(staging / "out"))
            files = sorted(p for p in (staging / "out").iterdir() if not p.name.startswith("."))
            for path in sorted(files, key=lambda p: p.name == "_SUCCESS"):  # _SUCCESS last, as Spark does
                self.store.put_file(f"{self.key}/{path.name}", path, "application/x-ndjson")
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _spark_has_filesystem(frame: DataFrame, scheme: str) -> bool:
    session = frame.sparkSession
    jvm = session.sparkContext._jvm
    try:
        jvm.org.apache.hadoop.fs.FileSystem.getFileSystemClass(scheme, session._jsc.hadoopConfiguration())
    except Exception:  # noqa: BLE001 - py4j wraps UnsupportedFileSystemException
        return False
    return True
