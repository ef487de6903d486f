"""Custom metrics, batched: one PutMetricData call per up to 1,000 values.

Values are buffered during the run and sent when the run ends (success or failure) or when the buffer
reaches the batch size. Only the contract's names and units are accepted (a typo would create a new billed
stream that no alarm reads), and only the dimensions ``JobName``, ``Environment`` (+ ``Stage`` on the stage
metrics): never a run id. In the ``local`` environment the batch is printed as a log line instead.
A failed PutMetricData is logged, never raised: it must not turn a good run into a failed one, nor hide
the error of a failed one. (JobsStarted/Succeeded/Failed come from log metric filters, which survive
that.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from glue_jobs.contract import (
    DIMENSION_ENVIRONMENT,
    DIMENSION_JOB_NAME,
    DIMENSION_STAGE,
    FRAMEWORK_METRICS,
    METRICS,
    Metric,
    Unit,
    namespace,
)

MAX_VALUES_PER_CALL = 1000
"""PutMetricData's limit on metric values per request."""

Sender = Callable[[str, list[dict[str, Any]]], None]
"""``(namespace, metric_data)``: one PutMetricData call."""


@dataclass(frozen=True)
class Datum:
    metric: Metric
    value: float
    unit: Unit
    stage: str | None
    timestamp: datetime

    def as_metric_data(self, job_name: str, environment: str) -> dict[str, Any]:
        dims = [{"Name": DIMENSION_JOB_NAME, "Value": job_name}, {"Name": DIMENSION_ENVIRONMENT, "Value": environment}]
        if self.stage is not None:
            dims.append({"Name": DIMENSION_STAGE, "Value": self.stage})
        return {
            "MetricName": self.metric.value,
            "Dimensions": dims,
            "Value": self.value,
            "Unit": self.unit.value,
            "Timestamp": self.timestamp,
        }


class MetricsBuffer:
    """Collects the run's metric values and sends them in batches of at most 1,000."""

    def __init__(
        self, job_name: str, environment: str, sender: Sender | None, log: Any, batch_size: int = MAX_VALUES_PER_CALL
    ) -> None:
        if not 1 <= batch_size <= MAX_VALUES_PER_CALL:
            raise ValueError(f"batch_size must be 1..{MAX_VALUES_PER_CALL}, got {batch_size}")
        self.job_name = job_name
        self.environment = environment
        self.namespace = namespace(environment)
        self._sender = sender  # None: print instead (environment 'local')
        self._log = log
        self._batch_size = batch_size
        self._pending: list[Datum] = []
        self.calls = 0  # PutMetricData calls made (or, locally, batches printed)
        self.sent = 0  # values delivered
        self.lost = 0  # values dropped because PutMetricData failed
        self.history: list[Datum] = []  # everything recorded in this run, for the result and the tests

    def put(self, metric: Metric | str, value: float, *, stage: str | None = None, unit: Unit | None = None) -> None:
        """Record a value; the unit is the contract's (passing another one is a programming error)."""
        metric = Metric(metric)
        spec = METRICS[metric]
        if metric not in FRAMEWORK_METRICS:
            raise ValueError(f"{metric.value} is emitted by a log metric filter, not by the framework")
        if unit is not None and Unit(unit) is not spec.unit:
            raise ValueError(f"{metric.value} is in {spec.unit.value} (docs/metrics.md), not {unit}")
        if spec.stage_dimension != (stage is not None):
            need = "needs a" if spec.stage_dimension else "takes no"
            raise ValueError(f"{metric.value} {need} Stage dimension")
        value = float(value)
        if not math.isfinite(value):
            self._log.warning("metric_value_skipped", metric=metric.value, reason="not a finite number")
            return
        datum = Datum(metric, value, spec.unit, stage, datetime.now(UTC))
        self._pending.append(datum)
        self.history.append(datum)
        if len(self._pending) >= self._batch_size:
            self.flush()

    def values(self, metric: Metric | str, stage: str | None = None) -> list[float]:
        return [d.value for d in self.history if d.metric == metric and (stage is None or d.stage == stage)]

    def flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._batch_size], self._pending[self._batch_size :]
            data = [d.as_metric_data(self.job_name, self.environment) for d in batch]
            self.calls += 1
            if self._sender is None:
                self._log.info(
                    "metric_data",
                    namespace=self.namespace,
                    metric_data=[
                        {
                            "metric": d["MetricName"],
                            "value": d["Value"],
                            "unit": d["Unit"],
                            "dimensions": {x["Name"]: x["Value"] for x in d["Dimensions"]},
                        }
                        for d in data
                    ],
                )
                self.sent += len(data)
                continue
            try:
                self._sender(self.namespace, data)
                self.sent += len(data)
            except Exception as exc:  # noqa: BLE001 - never fail the run because of its metrics
                self.lost += len(data)
                self._log.error(
                    "metrics_publish_failed",
                    namespace=self.namespace,
                    values=len(data),
                    error_type=type(exc).__name__,
                    error_message=str(exc)[:500],
                )


def cloudwatch_sender(get_client: Callable[[], Any]) -> Sender:
    """PutMetricData through a client made on first use (a client error is then a logged send error)."""

    def send(ns: str, data: list[dict[str, Any]]) -> None:
        get_client().put_metric_data(Namespace=ns, MetricData=data)

    return send
