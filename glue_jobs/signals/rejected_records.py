"""Rejected records to the dead-letter queue: one message per record, SendMessageBatch on the DLQ's threads;
what SQS refuses is kept in the audit store (``_dlq_unsent/``), so records are never dropped silently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glue_jobs.audit import ObjectStore
from glue_jobs.dlq import DeadLetterQueue, DlqMessage, DlqResult, make_message
from glue_jobs.quality import RuleSet
from glue_jobs.tracing import Tracer


def record_messages(rejected: Sequence[dict[str, Any]], rule_set: RuleSet, context: dict[str, Any]) -> list[DlqMessage]:
    """``rejected``: ``[{"failed_rules": [...], "record": {...}}]``; ``context``: job_name, job_run_id,
    environment, trace_id, timestamp."""
    return [
        make_message(r["record"], r["failed_rules"], rule_set.describe(r["failed_rules"]), context) for r in rejected
    ]


def send_messages(
    messages: list[DlqMessage],
    dlq: DeadLetterQueue,
    tracer: Tracer,
    log: Any,
    store: ObjectStore | None,
    job_name: str,
    job_run_id: str,
) -> DlqResult:
    """Send under a ``dead_letter_queue`` subsegment; keep what SQS refused in ``_dlq_unsent/``."""
    with tracer.subsegment("dead_letter_queue", namespace="aws", annotations={"records": len(messages)}):
        outcome = dlq.send(messages)
    log.info("failed_records_routed", records=len(messages), sent=outcome.sent, send_message_batch_calls=outcome.calls)
    if outcome.unsent:
        where = None
        if store:
            key = f"_dlq_unsent/{job_name}/{job_run_id}.jsonl"
            where = store.put(key, ("\n".join(outcome.unsent) + "\n").encode(), "application/x-ndjson")
        log.error("dlq_send_failed", unsent=len(outcome.unsent), kept_at=where, errors=outcome.errors[:5])
    return outcome
