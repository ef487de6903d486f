"""The last signals of a run, concurrently on the I/O threads: one PutMetricData; the DLQ then the trace
(the root segment and the DLQ subsegment in one call); the ``job_completed`` audit event. Then wait for
everything the run submitted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glue_jobs.background import BackgroundIO
from glue_jobs.metrics import MetricsBuffer
from glue_jobs.tracing import Tracer


def final_sends(
    io: BackgroundIO,
    metrics: MetricsBuffer,
    tracer: Tracer,
    error: BaseException | None,
    send_rejected: Callable[[], Any],
    audit_event: Callable[[], Any] | None,
) -> None:
    io.submit("metrics", metrics.flush)

    def dlq_then_trace() -> None:
        try:
            send_rejected()
        finally:
            tracer.finish(error)

    io.submit("dlq_and_trace", dlq_then_trace)
    if audit_event is not None:
        io.submit("audit", audit_event)
    io.drain()
