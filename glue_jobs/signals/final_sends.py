"""The last signals of a run, concurrently on the I/O threads: one PutMetricData, the DLQ, the ``job_completed``
audit event; then, once everything the run submitted is done, the trace (the root segment with the subsegments
of those sends, each AWS call an ``aws`` subsegment)."""

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
    io.submit("dead_letter_queue", send_rejected)
    if audit_event is not None:
        io.submit("audit", audit_event)
    io.drain()
    # last, so that the trace holds these sends too (each AWS call is an `aws` subsegment of the run)
    tracer.finish(error)
