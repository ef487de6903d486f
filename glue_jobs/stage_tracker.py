"""The stages of one run: phases (extract, transform, load) and the job's own steps, each measured.

A stage is a trace subsegment, a Spark job group (to count the jobs it launched itself) and a timer. Its
rows come later, from an observation, when the action that computes them has run (see stages.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pyspark.sql import DataFrame

from glue_jobs.contract import Phase
from glue_jobs.stages import ObservedStage, SparkJobCounter, StageStats, observe, row_count
from glue_jobs.tracing import Span, Tracer

PHASES = frozenset(p.value for p in Phase)


class Stage:
    """A phase or a step being measured; ``track(df)`` counts its rows during the next action."""

    def __init__(self, name: str, span: Span, counter: SparkJobCounter, is_phase: bool, count_rows: bool) -> None:
        self.name = name
        self.span = span
        self.counter = counter
        self.is_phase = is_phase
        self._count_rows = count_rows
        self.observed: ObservedStage | None = None
        self.extra_jobs = 0  # jobs launched by nested steps

    def track(self, df: DataFrame) -> DataFrame:
        """Return ``df`` with a row count attached, computed by whatever action later consumes it.

        In a step this is honoured only with ``--track_step_rows true``: each tracked point is one more
        observation in the plan (about 2 % CPU on a light job), so the operator chooses; an untracked step
        still reports its duration and its subsegment.
        """
        if not self._count_rows:
            return df
        df, self.observed = observe(df, self.name, row_count())
        return df


class StageTracker:
    """Opens and closes the stages of a run and keeps what they measured, in the order they ran."""

    def __init__(
        self,
        tracer: Tracer,
        spark_context: Callable[[], Any],
        *,
        job_name: str,
        job_run_id: str,
        track_step_rows: bool,
        on_phase_end: Callable[[], None],
    ) -> None:
        self._tracer = tracer
        self._spark_context = spark_context
        self._job_name = job_name
        self._job_run_id = job_run_id
        self._track_step_rows = track_step_rows
        self._on_phase_end = on_phase_end
        self.stats: dict[str, StageStats] = {}
        self.order: list[str] = []
        self.completed: list[str] = []  # stages that ended without an error
        self.observed: dict[str, ObservedStage] = {}
        self.spark_job_ids: list[int] = []
        self._open: list[Stage] = []
        self._failed: str | None = None

    @property
    def failed_stage(self) -> str | None:
        """The first stage that raised, else the innermost one still open."""
        return self._failed or (self._open[-1].name if self._open else None)

    @contextmanager
    def measure(self, name: str, is_phase: bool = True) -> Iterator[Stage]:
        if name in self.stats or any(s.name == name for s in self._open):
            raise ValueError(f"stage {name!r} is used twice in one run; stage names must be unique")
        span = self._tracer.start(name, annotations={"stage": name, "phase": is_phase})
        counter = SparkJobCounter(self._spark_context(), f"{self._job_run_id}:{name}", f"{self._job_name}: {name}")
        stage = Stage(name, span, counter, is_phase, count_rows=is_phase or self._track_step_rows)
        self._open.append(stage)
        t0 = time.perf_counter()
        try:
            with counter:
                yield stage
        except BaseException as exc:
            self._failed = self._failed or name
            self._close(stage, time.perf_counter() - t0, exc)
            raise
        self._close(stage, time.perf_counter() - t0, None)

    def _close(self, stage: Stage, seconds: float, exc: BaseException | None) -> None:
        self._open.remove(stage)
        jobs = stage.counter.job_ids()
        self.spark_job_ids.extend(jobs)
        spark_jobs = len(jobs) + stage.extra_jobs
        if self._open:
            self._open[-1].extra_jobs += spark_jobs
        self.stats[stage.name] = StageStats(stage.name, seconds, spark_jobs=spark_jobs)
        self.order.append(stage.name)
        if exc is None:
            self.completed.append(stage.name)
        if stage.observed is not None:
            self.observed[stage.name] = stage.observed
        stage.span.metadata.update({"processing_time_seconds": round(seconds, 6), "spark_jobs": spark_jobs})
        self._tracer.end(stage.span, exc)
        if stage.is_phase:
            self._on_phase_end()  # one batched PutTraceSegments per phase end, in the background
