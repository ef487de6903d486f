"""Messages to the SQS dead-letter queue, and sending them: SendMessageBatch, 10 messages (and < 256 KB) a call.

Two kinds of message (docs/metrics.md, "Dead-letter queue messages"), both with the run's context
(``job_name``, ``job_run_id``, ``environment``, ``trace_id``, ``timestamp``) and ``message_type``:

- ``rejected_record``: one record, ``{..., "reason", "failed_rules", "record"}``;
- ``rejected_records_pointer``: one per run whose rejected records did not all fit inline: where the others
  are (``records_uri``), how many, which rules they failed, and whether storing them worked.

``job_name``, ``message_type`` and ``failed_rules`` are also message attributes, so a redrive or an
inspection can filter without parsing. Batches go out on a few threads (the calls are independent; a boto3
client is thread-safe). Entries SQS refuses are retried once; what still fails is returned to the caller,
which keeps it elsewhere (``_dlq_unsent/``): records are never dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
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


RECORD_MESSAGE = "rejected_record"
POINTER_MESSAGE = "rejected_records_pointer"


@dataclass(frozen=True)
class DlqMessage:
    body: str
    failed_rules: tuple[str, ...]
    message_type: str = RECORD_MESSAGE


def make_message(
    record: dict[str, Any], failed_rules: list[str], reasons: list[str], context: dict[str, Any]
) -> DlqMessage:
    """A ``rejected_record`` message."""
    body = {
        **context,
        "message_type": RECORD_MESSAGE,
        "reason": "; ".join(reasons) or "failed validation",
        "failed_rules": failed_rules,
        "record": record,
    }
    text = json.dumps(body, default=str, separators=(",", ":"))
    if len(text.encode()) > MAX_MESSAGE_BYTES:  # keep the reason, say the record was too big
        body["record"] = {"truncated": True, "preview": text[:2000]}
        text = json.dumps(body, default=str, separators=(",", ":"))
    return DlqMessage(text, tuple(failed_rules))


def make_pointer(
    *,
    context: dict[str, Any],
    stored: bool,
    records_uri: str,
    record_count: int,
    inline_count: int,
    rejected_count: int,
    rule_counts: dict[str, int],
    describe: Callable[[list[str]], list[str]],
    error: str | None = None,
) -> DlqMessage:
    """A ``rejected_records_pointer`` message: ``rule_counts`` are the records at ``records_uri`` per failed
    rule (most frequent first in the message), ``describe`` gives the rules' descriptions."""
    failed_rules = sorted((r for r, n in rule_counts.items() if n), key=lambda r: (-rule_counts[r], r))
    reasons = describe(failed_rules)
    body = {
        **context,
        "message_type": POINTER_MESSAGE,
        "status": "stored" if stored else "write_failed",
        "records_uri": records_uri,
        "record_count": record_count,
        "inline_count": inline_count,
        "rejected_count": rejected_count,
        "failed_rules": failed_rules,
        "failed_rule_counts": {r: rule_counts[r] for r in failed_rules},
        "reason": "; ".join(reasons) or "failed validation",
        "error": error,
    }
    return DlqMessage(json.dumps(body, default=str, separators=(",", ":")), tuple(failed_rules), POINTER_MESSAGE)


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
        attrs = {
            "job_name": {"DataType": "String", "StringValue": self._job_name},
            "message_type": {"DataType": "String", "StringValue": message.message_type},
        }
        if message.failed_rules:
            attrs["failed_rules"] = {"DataType": "String", "StringValue": ",".join(message.failed_rules)[:1000]}
        return attrs
