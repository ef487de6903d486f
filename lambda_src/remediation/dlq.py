"""Move the messages of a dead-letter queue back to their source queue, losing none.

Order per batch: receive (the messages become invisible) -> SendMessageBatch to the source -> delete from
the DLQ only the entries the source acknowledged. A message leaves the DLQ only once the source has it:
- the source fails (whole call or some entries): those messages stay in the DLQ; at the end of the run
  their visibility is reset so the queue depth shows them again;
- the delete fails after a successful send: the message is in both queues and is moved again later, a
  duplicate that at-least-once consumers already tolerate.
A `remediation-redrive-count` message attribute stops poison messages from cycling for ever: after
DLQ_MAX_REDRIVES moves a message is held in the DLQ for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from lambda_src.common import aws, notify
from lambda_src.common.alarms import Alarm
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import BadEvent, Outcome

logger = Logger(child=True)
metrics = Metrics()
tracer = Tracer()

COUNTER = "remediation-redrive-count"
VISIBILITY_SECONDS = 120  # longer than one batch takes; messages not moved come back after it anyway
MAX_CONSECUTIVE_SEND_FAILURES = 3
SAFETY_MS = 15_000


@dataclass
class Redrive:
    moved: int = 0
    failed: int = 0
    held: int = 0
    duplicates_possible: int = 0
    stopped_because: str = "dlq_empty"
    errors: list[str] = field(default_factory=list)
    to_release: list[str] = field(default_factory=list)  # receipt handles to make visible again


def source_queue_url(sqs: Any, dlq_name: str, dlq_url: str, cfg: Config) -> str | None:
    if dlq_name in cfg.dlq_source_queues:
        return sqs.get_queue_url(QueueName=cfg.dlq_source_queues[dlq_name])["QueueUrl"]
    sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
    if len(sources) == 1:
        return sources[0]
    if sources:
        raise BadEvent(f"{dlq_name} is the DLQ of {len(sources)} queues: set DLQ_SOURCE_QUEUES to pick one")
    return None


def _entry(i: int, msg: dict[str, Any], fifo: bool) -> dict[str, Any]:
    attrs = dict(msg.get("MessageAttributes") or {})
    count = int((attrs.get(COUNTER) or {}).get("StringValue") or 0) + 1
    if COUNTER in attrs or len(attrs) < 10:  # SQS allows 10 attributes: a full message moves uncounted
        attrs[COUNTER] = {"DataType": "Number", "StringValue": str(count)}
    entry: dict[str, Any] = {"Id": str(i), "MessageBody": msg["Body"]}
    if attrs:
        entry["MessageAttributes"] = attrs
    if fifo:
        sys_attrs = msg.get("Attributes") or {}
        entry["MessageGroupId"] = sys_attrs.get("MessageGroupId", "redrive")
        entry["MessageDeduplicationId"] = sys_attrs.get("MessageDeduplicationId") or msg["MessageId"]
    return entry


@tracer.capture_method
def move(sqs: Any, dlq_url: str, source_url: str, cfg: Config, context: Any) -> Redrive:
    out = Redrive()
    fifo = source_url.endswith(".fifo")
    consecutive_failures = 0
    while out.moved + out.failed + out.held < cfg.dlq_max_messages:
        if context and context.get_remaining_time_in_millis() < SAFETY_MS:
            out.stopped_because = "time_limit"
            break
        want = min(10, cfg.dlq_max_messages - (out.moved + out.failed + out.held))
        msgs = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=want,
            WaitTimeSeconds=1,
            VisibilityTimeout=VISIBILITY_SECONDS,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not msgs:
            break
        batch = []
        for m in msgs:
            count = int(((m.get("MessageAttributes") or {}).get(COUNTER) or {}).get("StringValue") or 0)
            if count >= cfg.dlq_max_redrives:
                out.held += 1
                out.to_release.append(m["ReceiptHandle"])
            else:
                batch.append(m)
        if not batch:
            continue
        by_id = {str(i): m for i, m in enumerate(batch)}
        try:
            resp = sqs.send_message_batch(
                QueueUrl=source_url, Entries=[_entry(i, m, fifo) for i, m in enumerate(batch)]
            )
        except (ClientError, BotoCoreError) as exc:
            out.failed += len(batch)
            out.to_release += [m["ReceiptHandle"] for m in batch]
            out.errors.append(f"send: {aws.error_code(exc)}")
            consecutive_failures += 1
            if consecutive_failures >= MAX_CONSECUTIVE_SEND_FAILURES:
                out.stopped_because = "source_unavailable"
                break
            continue
        consecutive_failures = 0
        for f in resp.get("Failed", []):
            out.failed += 1
            out.to_release.append(by_id[f["Id"]]["ReceiptHandle"])
            out.errors.append(f"send entry: {f.get('Code')}")
        sent = [by_id[s["Id"]] for s in resp.get("Successful", [])]
        out.moved += len(sent)
        if sent:
            out.duplicates_possible += _delete(sqs, dlq_url, sent, out)
    else:
        out.stopped_because = "max_messages"
    _release(sqs, dlq_url, out)
    return out


def _delete(sqs: Any, dlq_url: str, sent: list[dict[str, Any]], out: Redrive) -> int:
    """Delete what the source acknowledged; returns how many stay in the DLQ too. Those are made visible
    again at the end and moved again by the next run: duplicates, never losses."""
    try:
        resp = sqs.delete_message_batch(
            QueueUrl=dlq_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(sent)]
        )
    except (ClientError, BotoCoreError) as exc:
        out.errors.append(f"delete: {aws.error_code(exc)}")
        out.to_release += [m["ReceiptHandle"] for m in sent]
        return len(sent)
    for f in resp.get("Failed", []):
        out.errors.append(f"delete entry: {f.get('Code')}")
        out.to_release.append(sent[int(f["Id"])]["ReceiptHandle"])
    return len(resp.get("Failed", []))


def _release(sqs: Any, dlq_url: str, out: Redrive) -> None:
    """Make the messages that stay in the DLQ visible again (best effort: they reappear anyway)."""
    for i in range(0, len(out.to_release), 10):
        try:
            sqs.change_message_visibility_batch(
                QueueUrl=dlq_url,
                Entries=[
                    {"Id": str(j), "ReceiptHandle": h, "VisibilityTimeout": 0}
                    for j, h in enumerate(out.to_release[i : i + 10])
                ],
            )
        except (ClientError, BotoCoreError) as exc:
            logger.warning("dlq_release_failed", extra={"error": aws.error_code(exc)})


@tracer.capture_method
def redrive(alarm: Alarm, cfg: Config, context: Any) -> Outcome:
    dlq_name = alarm.queue_name()
    base = {"action": "dlq", "alarm_name": alarm.name}
    if not dlq_name:
        raise BadEvent(f"depth alarm {alarm.name} names no queue (QueueName dimension or <queue>-depth-<sev>)")
    sqs = aws.client("sqs")
    try:
        dlq_url = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
    except ClientError as exc:
        if aws.error_code(exc) in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
            raise BadEvent(f"queue {dlq_name} does not exist") from exc
        raise
    source_url = source_queue_url(sqs, dlq_name, dlq_url, cfg)
    if not source_url:
        metrics.add_metric(name="DlqRedriveSkipped", unit=MetricUnit.Count, value=1)
        return Outcome(result="no_source_queue", detail={"queue": dlq_name}, **base)
    result = move(sqs, dlq_url, source_url, cfg, context)
    metrics.add_metric(name="DlqMessagesMoved", unit=MetricUnit.Count, value=result.moved)
    metrics.add_metric(name="DlqMessagesFailed", unit=MetricUnit.Count, value=result.failed)
    metrics.add_metric(name="DlqMessagesHeld", unit=MetricUnit.Count, value=result.held)
    detail = {
        "queue": dlq_name,
        "source_queue": source_url.rsplit("/", 1)[-1],
        "moved": result.moved,
        "failed": result.failed,
        "held": result.held,
        "duplicates_possible": result.duplicates_possible,
        "stopped_because": result.stopped_because,
        "errors": result.errors[:10],
    }
    notify.publish(
        cfg.notify_topic_arn,
        f"[{cfg.environment}] DLQ redrive {dlq_name}: {result.moved} moved, {result.failed} failed",
        [
            f"Alarm {alarm.name}: moved {result.moved} message(s) from {dlq_name} back to {detail['source_queue']}.",
            f"Not moved: {result.failed} (source refused; still in the DLQ), held: {result.held} "
            f"(redriven {cfg.dlq_max_redrives} times already; a person has to look).",
            f"Stopped because: {result.stopped_because}.",
        ]
        + ([f"Errors: {', '.join(detail['errors'])}"] if result.errors else []),
        {"severity": "info", "signal": "dlq-depth"},
    )
    return Outcome(result="redriven" if not result.failed else "partially_redriven", detail=detail, **base)
