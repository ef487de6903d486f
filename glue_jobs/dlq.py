"""Failed records to the SQS dead-letter queue: SendMessageBatch, 10 messages (and < 256 KB) a call.

Each message is one record: ``{"job_name", "job_run_id", "environment", "trace_id", "timestamp",
"reason", "failed_rules", "record"}`` with ``job_name`` / ``failed_rules`` also as message attributes, so a
redrive or an inspection can filter without parsing. Batches go out on a few threads (the calls are
independent; a boto3 client is thread-safe). Entries SQS refuses are retried once; what still fails is
returned to the caller, which keeps it elsewhere (see ``BaseJob``): records are never dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 250_000  # under SQS's 256 KiB per message and per batch, with room for attributes
MAX_MESSAGE_BYTES = 250_000


@dataclass
class DlqResult:
    sent: int = 0
    calls: int = 0
    unsent: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DlqMessage:
    body: str
    failed_rules: tuple[str, ...]


def make_message(
    record: dict[str, Any], failed_rules: list[str], reasons: list[str], context: dict[str, Any]
) -> DlqMessage:
    body = {
        **context,
        "reason": "; ".join(reasons) or "failed validation",
        "failed_rules": failed_rules,
        "record": record,
    }
    text = json.dumps(body, default=str, separators=(",", ":"))
    if len(text.encode()) > MAX_MESSAGE_BYTES:  # keep the reason, say the record was too big
        body["record"] = {"truncated": True, "preview": text[:2000]}
        text = json.dumps(body, default=str, separators=(",", ":"))
    return DlqMessage(text, tuple(failed_rules))


def _batches(messages: list[DlqMessage]) -> Iterator[list[DlqMessage]]:
    batch: list[DlqMessage] = []
    size = 0
    for message in messages:
        n = len(message.body.encode())
        if batch and (len(batch) == MAX_BATCH_ENTRIES or size + n > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(message)
        size += n
    if batch:
        yield batch


class DeadLetterQueue:
    def __init__(self, client: Any, queue_url: str, job_name: str, max_workers: int = 4) -> None:
        self._client = client
        self.queue_url = queue_url
        self._job_name = job_name
        self._workers = max_workers

    def send(self, messages: Iterable[DlqMessage]) -> DlqResult:
        result = DlqResult()
        batches = list(_batches(list(messages)))
        if not batches:
            return result
        with ThreadPoolExecutor(max_workers=min(self._workers, len(batches)), thread_name_prefix="dlq") as pool:
            for sent, calls, unsent, errors in pool.map(self._send_batch, batches):
                result.sent += sent
                result.calls += calls
                result.unsent.extend(unsent)
                result.errors.extend(errors)
        return result

    def _send_batch(self, batch: list[DlqMessage]) -> tuple[int, int, list[str], list[str]]:
        pending = {str(i): message for i, message in enumerate(batch)}
        errors: list[str] = []
        calls = 0
        for _attempt in range(2):
            if not pending:
                break
            calls += 1
            entries = [
                {"Id": i, "MessageBody": m.body, "MessageAttributes": self._attributes(m)} for i, m in pending.items()
            ]
            try:
                response = self._client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception as exc:  # noqa: BLE001 - reported to the caller with the records
                errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
                continue
            for ok in response.get("Successful", []):
                pending.pop(ok["Id"], None)
            for failed in response.get("Failed", []):
                errors.append(f"{failed.get('Code')}: {failed.get('Message')}")
        return len(batch) - len(pending), calls, [m.body for m in pending.values()], errors

    def _attributes(self, message: DlqMessage) -> dict[str, Any]:
        attrs = {"job_name": {"DataType": "String", "StringValue": self._job_name}}
        if message.failed_rules:
            attrs["failed_rules"] = {"DataType": "String", "StringValue": ",".join(message.failed_rules)[:1000]}
        return attrs
