"""Every AWS call a piece of code makes, recorded through botocore's event hooks.

    recorder = CallRecorder()
    with recorder.recording():          # every botocore client created or used meanwhile reports to it
        job.run()
    recorder.calls                      # [Call(service="s3", operation="PutObject", params={...}), ...]

botocore emits `before-call.<service>.<operation>` on a client's event system before each request, with
the operation model and the request parameters: that is the call as the code made it, whatever the
endpoint (AWS or the emulator) and before any retry. `recording()` registers the hook on every client
botocore creates while it is active (clients cache: a client made earlier is not seen; create them inside,
or pass them to `watch`). What it cannot see: calls that are not made with botocore (Spark's S3A, the JVM),
and what a service does on the caller's behalf (S3 asking KMS for a data key).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.client

ROOT = Path(__file__).resolve().parents[1]
# The code whose calls are attributed: the innermost frame in one of these folders names the code path.
CODE = ("glue_jobs", "lambda_src")

# Parameters kept in the record (the ones that name a resource or a condition key); bodies and data are not.
KEPT = ("ResourceArn", "Bucket", "Key", "Prefix", "Delimiter", "QueueUrl", "QueueName", "Namespace", "TopicArn",
        "TargetArn", "JobName", "RunId", "FunctionName", "logGroupName", "logStreamName", "AlarmName", "AlarmNames",
        "WorkGroup", "QueryExecutionId", "DatabaseName", "TableName", "Name", "SecretId", "KeyId", "StateValue",
        "SourceArn", "EventBusName")


@dataclass(frozen=True)
class Call:
    service: str  # botocore's service name (s3, sqs, cloudwatch, xray, glue, ...)
    operation: str  # the API operation (PutObject, SendMessageBatch, ...)
    region: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    origin: str = ""  # the code path: <file>::<function> of the innermost frame in glue_jobs/ or lambda_src/

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "region": self.region, "params": self.params,
                "origin": self.origin}


def origin() -> str:
    """<file relative to the checkout>::<function> of the innermost project frame that made the call."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        try:
            rel = path.resolve().relative_to(ROOT)
        except ValueError:
            rel = None
        if rel is not None and rel.parts and rel.parts[0] in CODE:
            return f"{rel.as_posix()}::{frame.f_code.co_name}"
        frame = frame.f_back
    return ""


class CallRecorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def _record(self, model=None, context=None, **_kwargs) -> None:
        context = context or {}
        given = context.get("gluemon_params") or {}
        call = Call(model.service_model.service_name, model.name, context.get("client_region") or "",
                    {key: given[key] for key in KEPT if key in given}, origin())
        with self._lock:
            self.calls.append(call)

    def _provide_params(self, params=None, context=None, **_kwargs) -> None:
        """provide-client-params: the parameters as the caller gave them (before serialisation)."""
        if context is not None and params is not None:
            context["gluemon_params"] = dict(params)

    def watch(self, client) -> Any:
        """Record the calls of an existing client (returns it)."""
        events = client.meta.events
        events.register("provide-client-params", self._provide_params, unique_id=f"gluemon-p-{id(self)}")
        events.register("before-call", self._record, unique_id=f"gluemon-c-{id(self)}")
        return client

    def forget(self, client) -> None:
        events = client.meta.events
        events.unregister("provide-client-params", unique_id=f"gluemon-p-{id(self)}")
        events.unregister("before-call", unique_id=f"gluemon-c-{id(self)}")

    @contextlib.contextmanager
    def recording(self) -> Iterator[CallRecorder]:
        """Watch every client botocore creates until the block ends."""
        original = botocore.client.ClientCreator.create_client
        watched = []
        recorder = self

        def create_client(creator, *args, **kwargs):
            client = original(creator, *args, **kwargs)
            watched.append(recorder.watch(client))
            return client

        botocore.client.ClientCreator.create_client = create_client
        try:
            yield self
        finally:
            botocore.client.ClientCreator.create_client = original
            for client in watched:
                self.forget(client)

    def distinct(self) -> list[Call]:
        """One call per service, operation and resource-naming parameters, in the order first made."""
        seen, out = set(), []
        for call in self.calls:
            key = (call.service, call.operation, tuple(sorted((k, repr(v)) for k, v in call.params.items())))
            if key not in seen:
                seen.add(key)
                out.append(call)
        return out
