"""Work off a dead-letter queue, losing nothing: a message leaves the queue only for a place that keeps it.

Only the queues of DLQ_QUEUES and DLQ_REDRIVE_TARGETS are touched. Per message:
- **archive** (archive.py: S3, KMS, verified) when the queue has no declared consumer, or when the message is
  older than the archive age: DLQ_ARCHIVE_AGE_SECONDS, and never later than 80 % of the queue's retention,
  so that the scheduled sweep reaches it before SQS deletes it;
- **redrive** to the consumed source queue DLQ_REDRIVE_TARGETS declares for the queue (`{"<dlq>":
  "<source>"}`): the caller says a consumer reads it. A source without a declared consumer (a queue that
  merely names the DLQ in its redrive policy) never gets a message: a record would expire there unread;
- **hold** (stay) when it was redriven DLQ_MAX_REDRIVES times already: a poison message waits for a person,
  and is archived once it reaches the archive age.

Order per batch of up to 10: receive (the messages turn invisible for DLQ_VISIBILITY_SECONDS) -> write (the
verified archive object, or SendMessageBatch acknowledged by the source) -> delete from the DLQ only what was
written -> make the rest visible again. At most DLQ_MAX_MESSAGES a run, and never closer than 15 s to the
invocation's end. Whatever stops the run (an S3 or SQS outage, the time limit, the function killed half-way)
leaves every message not yet written in the DLQ: it turns visible again and the next run takes it. A crash
between a write and its delete leaves the message in both places: the next run archives it again onto the
same object (idempotent) or redrives a duplicate, which at-least-once consumers tolerate. Never a loss.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from lambda_src.common import aws, notify
from lambda_src.common.alarms import Alarm
from lambda_src.remediation.archive import Archive, ArchiveError, sent_at
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import BadEvent, Outcome

logger = Logger(child=True)
metrics = Metrics()
tracer = Tracer()

SIGNALS = ("depth", "age")  # modules/dead_letter_queue's alarms, `<dlq>-<signal>-<severity>`
COUNTER = "remediation-redrive-count"
RETENTION_SHARE = 0.8  # archive before 80 % of the queue's retention has passed, whatever the setting
MAX_FAILED_BATCHES = 3  # batches in a row whose writes failed: stop, the target is down
SAFETY_MS = 15_000
WRITE_ERRORS = (ArchiveError, ClientError, BotoCoreError)


@dataclass
class Sweep:
    queue: str
    consumer: str | None
    archive_location: str
    archive_age_seconds: int
    archived: int = 0
    already_archived: int = 0  # of `archived`: the object was there from an earlier run
    redriven: int = 0
    held: int = 0
    failed: int = 0  # a write failed: still in the DLQ
    not_reached: int = 0  # received, then the time ran out: still in the DLQ
    pointers: int = 0
    pointer_records: int = 0
    pointers_incomplete: int = 0
    duplicates_possible: int = 0
    stopped_because: str = "dlq_empty"
    errors: list[str] = field(default_factory=list)
    to_release: list[str] = field(default_factory=list)  # receipt handles to make visible again

    @property
    def received(self) -> int:
        return self.archived + self.redriven + self.held + self.failed + self.not_reached

    @property
    def left(self) -> int:
        return self.held + self.failed + self.not_reached

    def detail(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "to_release"}
        return out | {"errors": self.errors[:10]}


def _time_short(context: Any) -> bool:
    return context is not None and context.get_remaining_time_in_millis() < SAFETY_MS


def _redrives(msg: dict[str, Any]) -> int:
    return int(((msg.get("MessageAttributes") or {}).get(COUNTER) or {}).get("StringValue") or 0)


def queue_url(sqs: Any, name: str) -> str:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as exc:
        if aws.error_code(exc) in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
            raise BadEvent(f"queue {name} does not exist") from exc
        raise


def archive_age(sqs: Any, dlq_url: str, cfg: Config) -> int:
    """Seconds after which a message is archived: the setting, capped at 80 % of the queue's retention."""
    attrs = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
    return min(cfg.dlq_archive_age_seconds, int(int(attrs["MessageRetentionPeriod"]) * RETENTION_SHARE))


def _entry(i: int, msg: dict[str, Any], fifo: bool) -> dict[str, Any]:
    attrs = dict(msg.get("MessageAttributes") or {})
    if COUNTER in attrs or len(attrs) < 10:  # SQS allows 10 attributes: a full message moves uncounted
        attrs[COUNTER] = {"DataType": "Number", "StringValue": str(_redrives(msg) + 1)}
    entry: dict[str, Any] = {"Id": str(i), "MessageBody": msg["Body"]}
    if attrs:
        entry["MessageAttributes"] = attrs
    if fifo:
        sys_attrs = msg.get("Attributes") or {}
        entry["MessageGroupId"] = sys_attrs.get("MessageGroupId", "redrive")
        entry["MessageDeduplicationId"] = sys_attrs.get("MessageDeduplicationId") or msg["MessageId"]
    return entry


@tracer.capture_method
def sweep(sqs: Any, s3: Any, dlq_name: str, cfg: Config, context: Any) -> Sweep:
    if not cfg.archive_bucket:
        raise ValueError("dead letters are archived before they leave a queue: set ARCHIVE_BUCKET or STATE_BUCKET")
    dlq_url = queue_url(sqs, dlq_name)
    consumer = cfg.dlq_redrive_targets.get(dlq_name)
    consumer_url = queue_url(sqs, consumer) if consumer else None
    archive = Archive(s3, cfg.archive_bucket, cfg.archive_prefix, cfg.archive_kms_key_id, dlq_name)
    out = Sweep(dlq_name, consumer, archive.location, archive_age(sqs, dlq_url, cfg))
    failed_batches = 0
    while out.received < cfg.dlq_max_messages:
        if _time_short(context):
            out.stopped_because = "time_limit"
            break
        msgs = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(10, cfg.dlq_max_messages - out.received),
            WaitTimeSeconds=1,
            VisibilityTimeout=cfg.dlq_visibility_seconds,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not msgs:
            break
        now = datetime.now(UTC)
        to_archive: list[tuple[dict[str, Any], str]] = []
        to_redrive: list[dict[str, Any]] = []
        for m in msgs:
            sent = sent_at(m)
            if consumer_url is None:
                to_archive.append((m, "no_consumer"))
            elif sent is None or (now - sent).total_seconds() >= out.archive_age_seconds:
                to_archive.append((m, "age"))
            elif _redrives(m) >= cfg.dlq_max_redrives:
                out.held += 1
                out.to_release.append(m["ReceiptHandle"])
            else:
                to_redrive.append(m)
        ok = _archive(sqs, dlq_url, archive, to_archive, out, context)
        if consumer_url and out.stopped_because != "time_limit":
            ok = _redrive(sqs, dlq_url, consumer_url, to_redrive, out) and ok
        else:
            _leave(to_redrive, out)
        if out.stopped_because == "time_limit":
            break
        failed_batches = 0 if ok else failed_batches + 1
        if failed_batches >= MAX_FAILED_BATCHES:
            out.stopped_because = "writes_failing"
            break
    else:
        out.stopped_because = "max_messages"
    _release(sqs, dlq_url, out)
    return out


def _leave(msgs: list[dict[str, Any]], out: Sweep) -> None:
    out.not_reached += len(msgs)
    out.to_release += [m["ReceiptHandle"] for m in msgs]


def _archive(
    sqs: Any, dlq_url: str, archive: Archive, batch: list[tuple[dict[str, Any], str]], out: Sweep, context: Any
) -> bool:
    """Archive the batch, message by message; delete what was verified. False when a write failed (the rest
    of the batch is not tried: the next batch tries again)."""
    written: list[dict[str, Any]] = []
    ok = True
    for i, (msg, reason) in enumerate(batch):
        if _time_short(context):
            out.stopped_because = "time_limit"
            _leave([m for m, _ in batch[i:]], out)
            break
        try:
            done = archive.put(msg, reason)
        except WRITE_ERRORS as exc:
            out.errors.append(f"archive: {exc if isinstance(exc, ArchiveError) else aws.error_code(exc)}")
            out.failed += len(batch) - i
            out.to_release += [m["ReceiptHandle"] for m, _ in batch[i:]]
            ok = False
            break
        written.append(msg)
        out.archived += 1
        out.already_archived += done.already
        if done.pointer is not None:
            out.pointers += 1
            out.pointer_records += int(done.pointer.get("record_count") or 0)
            out.pointers_incomplete += done.pointer.get("status") != "stored"
    if written:
        out.duplicates_possible += _delete(sqs, dlq_url, written, out)
    return ok


def _redrive(sqs: Any, dlq_url: str, source_url: str, batch: list[dict[str, Any]], out: Sweep) -> bool:
    """Send the batch to the consumed source; delete from the DLQ only what the source acknowledged."""
    if not batch:
        return True
    by_id = {str(i): m for i, m in enumerate(batch)}
    fifo = source_url.endswith(".fifo")
    try:
        resp = sqs.send_message_batch(QueueUrl=source_url, Entries=[_entry(i, m, fifo) for i, m in enumerate(batch)])
    except (ClientError, BotoCoreError) as exc:
        out.failed += len(batch)
        out.to_release += [m["ReceiptHandle"] for m in batch]
        out.errors.append(f"send: {aws.error_code(exc)}")
        return False
    for f in resp.get("Failed", []):
        out.failed += 1
        out.to_release.append(by_id[f["Id"]]["ReceiptHandle"])
        out.errors.append(f"send entry: {f.get('Code')}")
    sent = [by_id[s["Id"]] for s in resp.get("Successful", [])]
    out.redriven += len(sent)
    if sent:
        out.duplicates_possible += _delete(sqs, dlq_url, sent, out)
    return not resp.get("Failed")


def _delete(sqs: Any, dlq_url: str, written: list[dict[str, Any]], out: Sweep) -> int:
    """Delete what is kept elsewhere now; returns how many stay in the DLQ too. Those are made visible again
    and written again by the next run: duplicates, never losses."""
    try:
        resp = sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(written)],
        )
    except (ClientError, BotoCoreError) as exc:
        out.errors.append(f"delete: {aws.error_code(exc)}")
        out.to_release += [m["ReceiptHandle"] for m in written]
        return len(written)
    for f in resp.get("Failed", []):
        out.errors.append(f"delete entry: {f.get('Code')}")
        out.to_release.append(written[int(f["Id"])]["ReceiptHandle"])
    return len(resp.get("Failed", []))


def _release(sqs: Any, dlq_url: str, out: Sweep) -> None:
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


def _count(out: Sweep) -> None:
    metrics.add_metric(name="DlqMessagesArchived", unit=MetricUnit.Count, value=out.archived)
    metrics.add_metric(name="DlqMessagesMoved", unit=MetricUnit.Count, value=out.redriven)
    metrics.add_metric(name="DlqMessagesFailed", unit=MetricUnit.Count, value=out.failed)
    metrics.add_metric(name="DlqMessagesHeld", unit=MetricUnit.Count, value=out.held)
    if out.consumer is None and out.received:
        metrics.add_metric(name="DlqRedriveSkipped", unit=MetricUnit.Count, value=1)


def _report(out: Sweep, cfg: Config, trigger: str, by_alarm: bool) -> None:
    """Tell people what happened. Escalated (DLQ_ESCALATION_TOPIC_ARN, else the critical topic) when a write
    failed, or when an alarm found messages in a queue nobody consumes: a person decides what becomes of
    them; otherwise a report to NOTIFY_TOPIC_ARN."""
    if not out.received:
        return
    escalate = out.failed > 0 or (out.consumer is None and by_alarm)
    lines = [
        f"{trigger}: {out.received} message(s) of the dead-letter queue {out.queue} handled.",
        f"Redriven to its consumed source {out.consumer}: {out.redriven}." if out.consumer else
        f"No consumer is declared for {out.queue} (DLQ_REDRIVE_TARGETS): nothing was redriven; the records wait "
        "in the archive for a person to decide what becomes of them.",
        f"Archived: {out.archived} to {out.archive_location}<date>/<message_type>/ (KMS-encrypted, read back "
        f"before the delete; {out.already_archived} were there from an earlier run).",
        f"Pointers to rejected records kept as pointers: {out.pointers}, for {out.pointer_records} record(s) in the "
        f"audit store (records_uri in each); incomplete (status write_failed): {out.pointers_incomplete}."
        if out.pointers else "",
        f"Held (redriven {cfg.dlq_max_redrives} times already, archived at {out.archive_age_seconds} s): {out.held}."
        if out.held else "",
        f"Still in the queue, to be retried: {out.failed} (a write failed), {out.not_reached} (not reached)."
        if out.failed or out.not_reached else "",
        f"In the queue and written too (a delete failed; the next run completes it): {out.duplicates_possible}."
        if out.duplicates_possible else "",
        f"Stopped because: {out.stopped_because}.",
        f"Errors: {', '.join(out.errors[:10])}" if out.errors else "",
        f"Runbook: {cfg.runbook_url}" if cfg.runbook_url else "",
    ]
    notify.publish(
        cfg.dlq_escalation_topic_arn if escalate else cfg.notify_topic_arn,
        f"[{cfg.environment}] DLQ {out.queue}: {out.archived} archived, {out.redriven} redriven, {out.left} left",
        lines,
        {"severity": "critical" if escalate else "info", "signal": "dlq"},
    )


def work_off(dlq_name: str, cfg: Config, context: Any, trigger: str, alarm_name: str | None = None) -> Outcome:
    out = sweep(aws.client("sqs"), aws.client("s3"), dlq_name, cfg, context)
    _count(out)
    _report(out, cfg, trigger, by_alarm=alarm_name is not None)
    result = "partially_worked_off" if out.failed or out.not_reached else ("worked_off" if out.received else "empty")
    return Outcome(action="dlq", result=result, alarm_name=alarm_name, detail=out.detail())


def on_alarm(alarm: Alarm, cfg: Config, context: Any) -> Outcome:
    dlq_name = alarm.queue_name()
    if not dlq_name:
        raise BadEvent(f"depth alarm {alarm.name} names no queue (QueueName dimension or <queue>-depth-<sev>)")
    if dlq_name not in cfg.managed_queues:
        return Outcome(action="ignored", result="unmanaged_queue", alarm_name=alarm.name, detail={"queue": dlq_name})
    return work_off(dlq_name, cfg, context, f"Alarm {alarm.name}", alarm.name)
