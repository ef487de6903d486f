"""Rejected records to the dead-letter queue, bounded: the first ``--dlq_max_inline_records`` one message
each; the rest written by the executors to the audit store (one Spark action, only when there are more)
behind one pointer message. SendMessageBatch runs on the DLQ's threads; what SQS refuses is kept in the
audit store (``_dlq_unsent/``), and a failed write of the rest is logged, kept as an audit marker
(``_rejected_unstored/``) and said by the pointer: records are never dropped silently."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import DataFrame

from glue_jobs.audit import ObjectStore
from glue_jobs.dlq import DeadLetterQueue, DlqMessage, DlqResult, make_message, make_pointer
from glue_jobs.quality import RuleSet
from glue_jobs.rejected import OverflowTarget, RejectedRecord, rule_counts
from glue_jobs.results import StoredOverflow
from glue_jobs.stages import observe
from glue_jobs.tracing import Tracer


def record_messages(rejected: Sequence[RejectedRecord], rule_set: RuleSet, context: dict[str, Any]) -> list[DlqMessage]:
    """One ``rejected_record`` message per record; ``context``: job_name, job_run_id, environment, trace_id,
    timestamp."""
    return [make_message(r.record, r.failed_rules, rule_set.describe(r.failed_rules), context) for r in rejected]


def expected_rule_counts(
    rule_set: RuleSet, failures: dict[str, int], inline: Sequence[RejectedRecord]
) -> dict[str, int]:
    """Per quarantining rule, the rejected records not sent inline (every record that fails one is rejected,
    so the run's count of its failures counts rejected records only)."""
    sent = Counter(name for r in inline for name in r.failed_rules)
    return {r.name: failures.get(r.name, 0) - sent[r.name] for r in rule_set.rules if r.quarantine}


def store_overflow(
    overflow: Callable[[], DataFrame],
    target: OverflowTarget,
    rule_set: RuleSet,
    *,
    expected: int,
    expected_counts: dict[str, int],
    timeout_seconds: float,
    log: Any,
) -> StoredOverflow:
    """Write ``overflow()`` (the rejected records not sent inline) with the DataFrame writer; its rows and its
    records per rule come from an observation of that same write. Never raises: a failure is logged and
    returned (``error``) for the pointer message and the audit store to say."""
    names = [r.name for r in rule_set.rules]
    outcome = StoredOverflow(target.uri, expected, rule_counts=dict(expected_counts))
    t0 = time.perf_counter()
    try:
        frame = overflow()
        observed, stage = observe(frame, "rejected_records_overflow", *rule_counts(frame, names))
        target.write(observed)
    except Exception as exc:  # noqa: BLE001 - reported in the log, the audit store and the DLQ
        first_line = (str(exc).strip().splitlines() or [""])[0]
        outcome.error = f"{type(exc).__name__}: {first_line[:500]}"
        log.error(
            "rejected_records_write_failed",
            records_uri=target.uri,
            records=expected,
            error_type=type(exc).__name__,
            error_message=str(exc)[:1000],
            hint="the pointer message on the DLQ says so; re-running the job produces the records again",
        )
        return outcome
    values = stage.result(time.monotonic() + timeout_seconds)
    if values is None:
        log.warning("observation_unavailable", stages=["rejected_records_overflow"], timeout_seconds=timeout_seconds)
        outcome.written = expected
    else:
        outcome.written = int(values.get("rows") or 0)
        outcome.rule_counts = {n: int(values.get(n) or 0) for n in names}
    if outcome.written != expected:
        log.warning(
            "rejected_records_count_mismatch",
            records_uri=target.uri,
            expected=expected,
            written=outcome.written,
            hint="the write recomputes the transform: a transform that is not deterministic (rand(), "
            "current_timestamp(), ties in Unique's keep_first_by) can reject other records the second time",
        )
    log.info(
        "rejected_records_stored",
        records_uri=target.uri,
        records=outcome.written,
        processing_time_seconds=round(time.perf_counter() - t0, 6),
    )
    return outcome


def pointer_message(
    overflow: StoredOverflow, rule_set: RuleSet, context: dict[str, Any], *, inline_count: int, rejected_count: int
) -> DlqMessage:
    return make_pointer(
        context=context,
        stored=overflow.stored,
        records_uri=overflow.records_uri,
        record_count=overflow.written if overflow.written is not None else overflow.expected,
        inline_count=inline_count,
        rejected_count=rejected_count,
        rule_counts=overflow.rule_counts,
        describe=rule_set.describe,
        error=overflow.error,
    )


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
