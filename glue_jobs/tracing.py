"""X-Ray traces without a daemon: segment documents built here, sent with PutTraceSegments.

Why not the X-Ray SDK: the SDK (in maintenance mode) hands its segments to the X-Ray daemon over UDP
(127.0.0.1:2000), and a Glue job has no daemon, so ``xray_recorder`` in Glue sends nothing, silently.
The daemon itself only batches documents and calls PutTraceSegments; that is all we need, so the job does
it directly: one trace per run (root segment = the job run), one subsegment per phase and per custom step,
one ``remote`` subsegment per external API call, errors as ``fault`` + ``cause``. Closed subsegments are
sent in one batched call at each phase end (so a run that dies later still leaves its finished phases),
the root segment with the last batch. A trace is two IDs: the trace id, also bound into every log line,
and the segment id; the format is X-Ray's ``1-<8 hex epoch seconds>-<24 hex random>``.

Sending is best effort: a failing call is logged and the run carries on.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MAX_DOCUMENTS_PER_CALL = 50  # what the X-Ray daemon sends per PutTraceSegments call
MAX_DOCUMENT_BYTES = 64 * 1024  # X-Ray's limit per segment document
_MAX_STACK_FRAMES = 30


def new_trace_id(now: float | None = None) -> str:
    """``1-5759e988-bd862e3fe1be46a994272793``: version, epoch seconds (hex), 96 random bits (hex)."""
    return f"1-{int(now if now is not None else time.time()):08x}-{secrets.token_hex(12)}"


def new_segment_id() -> str:
    return secrets.token_hex(8)


def exception_cause(exc: BaseException) -> dict[str, Any]:
    """X-Ray's ``cause`` object: the working directory and the exception with its stack."""
    frames = traceback.extract_tb(exc.__traceback__)[-_MAX_STACK_FRAMES:]
    return {
        "working_directory": os.getcwd(),
        "exceptions": [
            {
                "id": new_segment_id(),
                "type": type(exc).__name__,
                "message": str(exc)[:1000],
                "stack": [{"path": f.filename, "line": f.lineno, "label": f.name} for f in reversed(frames)],
                "truncated": max(0, len(traceback.extract_tb(exc.__traceback__)) - _MAX_STACK_FRAMES),
            }
        ],
    }


@dataclass
class Span:
    """A segment (the run) or a subsegment (a phase, a step, an API call)."""

    name: str
    trace_id: str
    parent_id: str | None = None  # None: the root segment
    id: str = field(default_factory=new_segment_id)
    start_time: float = field(default_factory=time.time)
    end_time: float | None = None
    namespace: str | None = None  # "remote" for calls to other services
    annotations: dict[str, str | int | float | bool] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    fault: bool = False
    error: bool = False
    cause: dict[str, Any] | None = None

    def close(self, exc: BaseException | None = None) -> None:
        if exc is not None:
            self.record_exception(exc)
        self.end_time = time.time()

    def record_exception(self, exc: BaseException) -> None:
        self.fault = True
        self.cause = exception_cause(exc)

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name[:200],
            "id": self.id,
            "trace_id": self.trace_id,
            "start_time": self.start_time,
        }
        if self.parent_id is not None:
            doc["type"] = "subsegment"
            doc["parent_id"] = self.parent_id
        if self.end_time is None:
            doc["in_progress"] = True
        else:
            doc["end_time"] = self.end_time
        if self.namespace:
            doc["namespace"] = self.namespace
        if self.annotations:
            doc["annotations"] = self.annotations
        if self.metadata:
            doc["metadata"] = {"glue_jobs": self.metadata}
        # X-Ray (and moto) read the presence of these flags, so they appear only when set.
        if self.fault:
            doc["fault"] = True
        if self.error:
            doc["error"] = True
        if self.cause is not None:
            doc["cause"] = self.cause
        return doc


Submit = Callable[[str, Callable[[], Any]], Any]
"""``(what, fn)``: run ``fn`` in the background (see BaseJob's I/O threads)."""

Sender = Callable[[list[str]], dict[str, Any] | None]
"""One PutTraceSegments call with the JSON documents; returns the response."""


class Tracer:
    """One trace per run: a root segment, nested subsegments, batched sends."""

    def __init__(
        self,
        name: str,
        sender: Sender | None,
        log: Any,
        *,
        enabled: bool = True,
        annotations: dict[str, str] | None = None,
    ) -> None:
        self.enabled = enabled
        self.trace_id = new_trace_id()
        self.root = Span(
            name=name,
            trace_id=self.trace_id,
            annotations={_annotation_key(k): v for k, v in (annotations or {}).items()},
        )
        self._sender = sender  # None: documents go to the debug log (environment 'local')
        self._log = log
        self._stack: list[Span] = [self.root]
        self._closed: list[Span] = []
        self._lock = threading.Lock()  # the I/O threads close AWS-call spans while the driver flushes
        self.calls = 0
        self.sent = 0
        self.failed = 0
        self.spans: list[Span] = []  # everything closed in this run

    @property
    def current(self) -> Span:
        return self._stack[-1]

    def header(self) -> str:
        """``X-Amzn-Trace-Id`` value for calls to other services made within the current span."""
        return f"Root={self.trace_id};Parent={self.current.id};Sampled=1"

    def start(
        self, name: str, *, namespace: str | None = None, annotations: dict[str, str | int | float | bool] | None = None
    ) -> Span:
        span = Span(
            name=name,
            trace_id=self.trace_id,
            parent_id=self.current.id,
            namespace=namespace,
            annotations={_annotation_key(k): v for k, v in (annotations or {}).items()},
        )
        self._stack.append(span)
        return span

    def end(self, span: Span, exc: BaseException | None = None) -> None:
        span.close(exc)
        if self._stack and self._stack[-1] is span:
            self._stack.pop()
        elif span in self._stack:
            self._stack.remove(span)
        self._record(span)

    def _record(self, span: Span) -> None:
        with self._lock:
            self._closed.append(span)
            self.spans.append(span)

    def open_call(self, service: str, operation: str) -> Span:
        """An ``aws`` subsegment of the root for one AWS SDK call, which never becomes the current span (the
        calls come from the I/O threads too): what the X-Ray SDK records for a patched client."""
        return Span(name=service, trace_id=self.trace_id, parent_id=self.root.id, namespace="aws",
                    annotations={"operation": operation})

    def close_call(self, span: Span, status: int | None = None, error: str | None = None) -> None:
        span.close()
        if status is not None:
            span.metadata["http_status"] = status
        if error:
            span.error = True
            span.metadata["error_code"] = error
        self._record(span)

    @contextmanager
    def subsegment(
        self, name: str, *, namespace: str | None = None, annotations: dict[str, str | int | float | bool] | None = None
    ) -> Iterator[Span]:
        span = self.start(name, namespace=namespace, annotations=annotations)
        try:
            yield span
        except BaseException as exc:
            self.end(span, exc)
            raise
        self.end(span)

    def finish(self, exc: BaseException | None = None, submit: Submit | None = None) -> None:
        """Close what is still open (innermost first) and the root segment, then send everything."""
        while len(self._stack) > 1:
            self.end(self._stack[-1])
        if self.root.end_time is None:
            self.root.close(exc)
            self._record(self.root)
        self.flush(submit)

    def flush(self, submit: Submit | None = None) -> None:
        """Send the closed spans: one PutTraceSegments call per 50 documents.

        The spans are taken here, on the calling thread; with ``submit`` the calls run wherever it sends
        them (the job's I/O threads), so a phase end does not wait for X-Ray.
        """
        with self._lock:
            spans, self._closed = self._closed, []
        if not spans:
            return
        if not self.enabled:
            return
        docs = [_fit(json.dumps(s.document(), default=str)) for s in spans]
        if submit is None:
            self._send(docs)
        else:
            submit("trace", lambda: self._send(docs))

    def _send(self, docs: list[str]) -> None:
        for i in range(0, len(docs), MAX_DOCUMENTS_PER_CALL):
            batch = docs[i : i + MAX_DOCUMENTS_PER_CALL]
            self.calls += 1
            if self._sender is None:
                self._log.debug("trace_segments", documents=[json.loads(d) for d in batch])
                self.sent += len(batch)
                continue
            try:
                response = self._sender(batch) or {}
                unprocessed = response.get("UnprocessedTraceSegments") or []
                self.sent += len(batch) - len(unprocessed)
                if unprocessed:
                    self.failed += len(unprocessed)
                    self._log.warning("trace_segments_unprocessed", unprocessed=unprocessed[:10])
            except Exception as exc:  # noqa: BLE001 - tracing never fails the run
                self.failed += len(batch)
                self._log.error(
                    "trace_publish_failed",
                    documents=len(batch),
                    error_type=type(exc).__name__,
                    error_message=str(exc)[:500],
                )


def _annotation_key(key: str) -> str:
    """Annotation keys: letters, digits and underscores only (X-Ray indexes them for filter expressions)."""
    return "".join(c if c.isalnum() else "_" for c in key)


def _fit(doc: str) -> str:
    """Drop the metadata of a document over 64 KB rather than lose the span."""
    if len(doc.encode()) <= MAX_DOCUMENT_BYTES:
        return doc
    data = json.loads(doc)
    data.pop("metadata", None)
    if "cause" in data:
        for exc in data["cause"].get("exceptions", []):
            exc["stack"] = exc.get("stack", [])[:5]
    return json.dumps(data)


# The X-Ray service names of the SDK's clients the framework uses (its own X-Ray calls are not traced).
AWS_SERVICES = {"s3": "S3", "sqs": "SQS", "cloudwatch": "CloudWatch", "logs": "CloudWatch Logs",
                "secretsmanager": "Secrets Manager", "glue": "Glue"}


def trace_aws_calls(client: Any, current_tracer: Callable[[], Tracer | None]) -> Any:
    """Record every call of a boto3 ``client`` as an ``aws`` subsegment of the current run's trace (botocore's
    before-call and after-call events: what the X-Ray SDK's patching does, without the SDK, which needs a
    daemon Glue does not run). Registered once per client; ``current_tracer`` is looked up at each call."""
    service = client.meta.service_model.service_name
    if service == "xray":
        return client
    name = AWS_SERVICES.get(service, service)

    def before(model: Any, context: dict[str, Any], **_: Any) -> None:
        tracer = current_tracer()
        if tracer is not None and tracer.enabled:
            context["glue_jobs_trace"] = (tracer, tracer.open_call(name, model.name))

    def after(context: dict[str, Any], http_response: Any = None, parsed: Any = None, **_: Any) -> None:
        found = context.pop("glue_jobs_trace", None)
        if found:
            tracer, span = found
            error = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
            tracer.close_call(span, getattr(http_response, "status_code", None), error)

    events = client.meta.events
    events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}", before,
                    unique_id="glue_jobs.trace.before")
    events.register(f"after-call.{client.meta.service_model.service_id.hyphenize()}", after,
                    unique_id="glue_jobs.trace.after")
    return client


def xray_sender(get_client: Callable[[], Any]) -> Sender:
    def send(docs: list[str]) -> dict[str, Any]:
        return get_client().put_trace_segments(TraceSegmentDocuments=docs)

    return send
