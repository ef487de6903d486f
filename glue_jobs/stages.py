"""Per-stage numbers without an extra Spark action: ``DataFrame.observe`` + a bounded wait.

``df.count()`` after each stage (the seed's ``monitor_performance``) runs the whole lineage again, once per
stage. ``DataFrame.observe(Observation, aggregates...)`` instead computes the aggregates while the job's
own action (normally the load's write) runs: one Spark job instead of 1 + one per stage.

The catch: ``Observation.get`` waits until an action that went through the DataFrame API has finished,
and forever if there is none (a sink that bypasses the writer, e.g. ``df.rdd.foreachPartition``, or a
failed load). So results are read with a deadline shared by all of a run's observations, polling the
observation's future when the JVM exposes it (Spark 3.5.x) or a daemon thread otherwise, and the caller
gets ``None`` (and a fallback) rather than a hung job.

Only Spark-native column expressions are used: no Python UDF, no closure, no logger on the executors.
Values cross py4j as numbers and strings only (timestamps as epoch microseconds, lists as JSON).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

_counter = itertools.count()


def unique_name(label: str) -> str:
    """Observation names must be unique within a query plan; make them unique within the process."""
    return f"{label}__obs{next(_counter)}"


def row_count() -> Column:
    return F.count(F.lit(1)).alias("rows")


@dataclass
class ObservedStage:
    """An Observation attached to a DataFrame; ``result`` reads it without blocking forever."""

    label: str
    observation: Observation
    _value: dict[str, Any] | None = None
    _resolved: bool = False

    def result(self, deadline: float) -> dict[str, Any] | None:
        """The observed metrics, or None when they did not arrive before ``deadline`` (time.monotonic())."""
        if self._resolved:
            return self._value
        jo = self.observation._jo
        if jo is None:  # never attached
            return None
        value = _poll_future(jo, deadline)
        if value is _NO_FUTURE:
            value = _get_in_thread(self.observation, deadline)
        if value is not None:  # a miss is not remembered: a later read may still find it
            self._value = value
            self._resolved = True
        return value


def observe(df: DataFrame, label: str, *aggregates: Column) -> tuple[DataFrame, ObservedStage]:
    """Attach ``aggregates`` (default: a row count) to ``df``; they are computed by its next action."""
    observation = Observation(unique_name(label))
    observed = df.observe(observation, *(aggregates or (row_count(),)))
    return observed, ObservedStage(label, observation)


_NO_FUTURE = object()


def _poll_future(jo: Any, deadline: float) -> Any:
    try:
        future = jo.future()
    except Exception:  # noqa: BLE001 - older Spark: no future(), fall back to the thread
        return _NO_FUTURE
    sleep = 0.005
    while True:
        if future.isCompleted():
            return _to_python(jo.getAsJava())
        if time.monotonic() >= deadline:
            return None
        time.sleep(sleep)
        sleep = min(sleep * 2, 0.1)


def _get_in_thread(observation: Observation, deadline: float) -> dict[str, Any] | None:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = _to_python(observation._jo.getAsJava())
        except Exception as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"observation-{observation._name}", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    return box.get("value")


def _to_python(jmap: Any) -> dict[str, Any]:
    return {str(k): v for k, v in jmap.items()}


@dataclass
class StageStats:
    """What a stage reports: its wall time, its rows, and the Spark jobs it launched itself."""

    stage: str
    duration_seconds: float
    records: int | None = None
    spark_jobs: int = 0
    compute_seconds: float | None = None
    """Seconds of Spark work that produced the records: the stage's own when it launched jobs, else
    the duration of the action that computed it lazily (the load)."""

    @property
    def lazy(self) -> bool:
        return self.spark_jobs == 0

    @property
    def throughput(self) -> float | None:
        seconds = self.compute_seconds if self.compute_seconds is not None else self.duration_seconds
        if self.records is None or seconds <= 0:
            return None
        return self.records / seconds


class SparkJobCounter:
    """Counts the Spark jobs launched between ``start`` and ``stop`` through a job group of our own.

    The previous job group (and description) of the thread is restored afterwards, so an outer group
    (a scheduler's, a benchmark's) keeps working.
    """

    def __init__(self, spark_context: Any, group: str, description: str) -> None:
        self._sc = spark_context
        self.group = group
        self._description = description
        self._previous: tuple[str | None, str | None] = (None, None)

    def __enter__(self) -> SparkJobCounter:
        sc = self._sc
        self._previous = (sc.getLocalProperty("spark.jobGroup.id"), sc.getLocalProperty("spark.job.description"))
        sc.setJobGroup(self.group, self._description)
        return self

    def __exit__(self, *exc: object) -> None:
        group, description = self._previous
        self._sc.setLocalProperty("spark.jobGroup.id", group)  # type: ignore[arg-type]
        self._sc.setLocalProperty("spark.job.description", description)  # type: ignore[arg-type]

    def job_ids(self) -> list[int]:
        """Jobs of our group so far. The status store is fed asynchronously by the listener bus, so first let
        the bus catch up (bounded; an internal API, skipped when it is not there)."""
        try:
            self._sc._jsc.sc().listenerBus().waitUntilEmpty(2000)
        except Exception:  # noqa: BLE001 - best effort
            pass
        return list(self._sc.statusTracker().getJobIdsForGroup(self.group))
