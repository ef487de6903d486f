"""Dead letters are never lost (issue 11.4): a message leaves the DLQ only for a consumer the settings declare,
or for a verified, KMS-encrypted archive object in S3, written before the delete. On the emulator (SQS, S3, KMS
and SNS on LocalStack), with the handler in-process.

Fault injection: botocore event hooks on the handler's own clients (`aws.client(...)`) make S3 refuse a
write, tamper with what S3 reports back, or raise where the Lambda runtime would kill the function; a fake
Lambda context runs out of time. Each fault test then counts every injected message: in the DLQ, in the
archive, redriven, or lost (never). The counts are printed (`-s`) as `tally <test>: {...}`.

Unproven here: the IAM policy allowing these calls (moto/LocalStack do not enforce IAM), S3's conditional
writes and checksums on AWS itself (LocalStack implements both), and a real Lambda timeout (an exception
raised from inside a boto3 call stands in for the runtime stopping the function between two calls).
"""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest
from ops_helpers import (
    FakeContext,
    archive_documents,
    depth_alarm,
    drain,
    emf_metrics,
    hooked,
    load_event,
    peek,
    refusing,
    tally,
)

from lambda_src.remediation import dlq, handler
from lambda_src.remediation.config import Config

pytestmark = pytest.mark.python


class LambdaKilled(BaseException):
    """What the runtime does at the timeout: the function stops where it is; no except clause runs."""


@pytest.fixture
def archive_env(dlq_env, monkeypatch):
    """A DLQ of 25 records nobody consumes (DLQ_QUEUES only): every message is archived."""
    dlq_q = dlq_env.dlq(25)
    monkeypatch.setenv("DLQ_QUEUES", dlq_q.name)
    return dlq_env, dlq_q


def invoke(event, context=None):
    return handler.lambda_handler(event, context or FakeContext())


def counted(ops, dlq_q, name: str) -> dict[str, int]:
    numbers = tally(ops.client("sqs"), ops.client("s3"), ops.bucket, dlq_q.url, dlq_q.bodies, dlq_q.source_url)
    print(f"tally {name}: {json.dumps(numbers)}")
    assert numbers["lost"] == 0, numbers
    return numbers


def test_messages_without_a_consumer_are_archived_verified_then_deleted(archive_env, capsys):
    ops, dlq_q = archive_env
    out = invoke(depth_alarm(dlq_q.name))["outcomes"][0]
    assert out["result"] == "worked_off" and out["detail"]["archived"] == 25 and out["detail"]["redriven"] == 0
    docs = archive_documents(ops.client("s3"), ops.bucket)
    assert sorted(d["body"] for d in docs.values()) == sorted(dlq_q.bodies) and peek(ops.client("sqs"), dlq_q.url) == []
    key = next(iter(docs))
    assert key.startswith(f"dlq-archive/{dlq_q.name}/") and key.split("/")[3] == "unknown" and key.endswith(".json")
    head = ops.client("s3").head_object(Bucket=ops.bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == os.environ["ARCHIVE_KMS_KEY_ID"]
    assert head["Metadata"] == {"reason": "no_consumer"} and head["ChecksumSHA256"]
    assert emf_metrics(capsys.readouterr().out)["DlqMessagesArchived"] == 25
    assert counted(ops, dlq_q, "no_consumer") == {
        "injected": 25, "archived": 25, "redriven": 0, "left": 0, "in_dlq_and_archive": 0, "lost": 0,
    }  # fmt: skip


def test_s3_refusing_half_way_loses_nothing(archive_env):
    """S3 refuses every PutObject after the 12th (a before-call hook raises EndpointConnectionError): the 12
    verified ones leave the queue, the 13 others stay in it; once S3 is back, the next run archives them."""
    ops, dlq_q = archive_env
    with hooked("s3", "before-call.s3.PutObject", refusing(lambda n: n > 12)):
        out = invoke(depth_alarm(dlq_q.name))["outcomes"][0]
    detail = out["detail"]
    assert out["result"] == "partially_worked_off" and detail["archived"] == 12 and detail["failed"] == 13
    assert any("archive" in e for e in detail["errors"])
    assert counted(ops, dlq_q, "s3_refuses_after_12") == {
        "injected": 25, "archived": 12, "redriven": 0, "left": 13, "in_dlq_and_archive": 0, "lost": 0,
    }  # fmt: skip
    assert "13 (a write failed)" in ops.critical.messages()[0]["Message"]  # escalated
    again = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert again["archived"] == 13 and again["failed"] == 0
    assert counted(ops, dlq_q, "s3_back") == {
        "injected": 25, "archived": 25, "redriven": 0, "left": 0, "in_dlq_and_archive": 0, "lost": 0,
    }  # fmt: skip


def test_running_out_of_time_half_way_loses_nothing(archive_env):
    """The Lambda context reports 10 s left once the 12th object is written (an after-call hook on PutObject
    lowers the fake context's clock): the run stops, the messages it had received but not archived are made
    visible again at once, and the next invocation archives them."""
    ops, dlq_q = archive_env
    context = FakeContext(remaining_ms=300_000)
    calls = {"n": 0}

    def clock(**_kwargs):
        calls["n"] += 1
        if calls["n"] >= 12:
            context.remaining_ms = 10_000

    with hooked("s3", "after-call.s3.PutObject", clock):
        out = invoke(depth_alarm(dlq_q.name), context)["outcomes"][0]
    detail = out["detail"]
    assert detail["stopped_because"] == "time_limit" and detail["archived"] == 12 and detail["not_reached"] == 8
    assert counted(ops, dlq_q, "time_limit_after_12") == {
        "injected": 25, "archived": 12, "redriven": 0, "left": 13, "in_dlq_and_archive": 0, "lost": 0,
    }  # fmt: skip
    assert invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]["archived"] == 13
    assert counted(ops, dlq_q, "time_limit_next_run")["archived"] == 25


def test_killed_between_the_write_and_the_delete_only_duplicates(archive_env, monkeypatch):
    """The function is killed right after the 12th object is written (an after-call hook on PutObject raises
    a BaseException no handler code catches, as the runtime's timeout stops it): nothing of the batch was
    deleted yet; its messages reappear after the visibility timeout (2 s here). 2 of them are in the DLQ and in
    the archive at once; the next run archives them again onto the same objects (no second copy)."""
    ops, dlq_q = archive_env
    monkeypatch.setenv("DLQ_VISIBILITY_SECONDS", "2")
    calls = {"n": 0}

    def kill(**_kwargs):
        calls["n"] += 1
        if calls["n"] == 12:
            raise LambdaKilled()

    with hooked("s3", "after-call.s3.PutObject", kill), pytest.raises(LambdaKilled):
        invoke(depth_alarm(dlq_q.name))
    time.sleep(2.5)  # the visibility timeout of the batch the function held
    assert counted(ops, dlq_q, "killed_at_put_12") == {
        "injected": 25, "archived": 12, "redriven": 0, "left": 15, "in_dlq_and_archive": 2, "lost": 0,
    }  # fmt: skip
    again = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert again["archived"] == 15 and again["already_archived"] == 2
    docs = archive_documents(ops.client("s3"), ops.bucket)
    assert len(docs) == 25  # one object per message: the re-archive found its own object
    assert counted(ops, dlq_q, "killed_then_rerun")["archived"] == 25


def test_an_archive_that_cannot_be_verified_keeps_the_message(archive_env, monkeypatch):
    """Without ARCHIVE_KMS_KEY_ID the bucket's default encryption applies; the test bucket's is SSE-S3, not
    KMS, so the read-back refuses every object and no message is deleted. With the key set, the next run
    writes KMS objects (beside the unverified ones) and only then deletes."""
    ops, dlq_q = archive_env
    monkeypatch.delenv("ARCHIVE_KMS_KEY_ID")
    out = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert out["archived"] == 0 and out["failed"] == 25 and out["stopped_because"] in ("dlq_empty", "writes_failing")
    assert "not aws:kms" in out["errors"][0]
    assert len(peek(ops.client("sqs"), dlq_q.url)) == 25
    monkeypatch.setenv("ARCHIVE_KMS_KEY_ID", ops.client("kms").create_key()["KeyMetadata"]["Arn"])
    again = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert again["archived"] == 25 and peek(ops.client("sqs"), dlq_q.url) == []
    kms_docs = {k: d for k, d in archive_documents(ops.client("s3"), ops.bucket).items()}
    verified = {
        d["message_id"] for k, d in kms_docs.items()
        if ops.client("s3").head_object(Bucket=ops.bucket, Key=k)["ServerSideEncryption"] == "aws:kms"
    }  # fmt: skip
    assert len(verified) == 25


def test_a_tampered_read_back_keeps_the_message(archive_env):
    """S3 reports another checksum for the 3rd object (an after-call hook on HeadObject changes the parsed
    answer): that message and the rest of its batch stay in the DLQ; the others are archived."""
    ops, dlq_q = archive_env
    calls = {"n": 0}

    def tamper(parsed, **_kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            parsed["ChecksumSHA256"] = "AAAA"

    with hooked("s3", "after-call.s3.HeadObject", tamper):
        detail = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert detail["archived"] == 2 + 15 and detail["failed"] == 8 and "SHA-256 differs" in detail["errors"][0]
    numbers = counted(ops, dlq_q, "checksum_mismatch_at_3")
    assert numbers["left"] == 8 and numbers["in_dlq_and_archive"] == 1  # the unverified object stays, harmless


def test_a_failed_delete_after_the_archive_duplicates_but_never_loses(archive_env):
    """The first DeleteMessageBatch fails (a before-call hook raises): those 10 messages stay in the DLQ and
    in the archive; the next run finds their objects, checks them and deletes the messages."""
    ops, dlq_q = archive_env
    with hooked("sqs", "before-call.sqs.DeleteMessageBatch", refusing(lambda n: n == 1)):
        first = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert first["archived"] == 25 and first["duplicates_possible"] == 10
    assert counted(ops, dlq_q, "delete_fails_once")["in_dlq_and_archive"] == 10
    second = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert second["archived"] == 10 and second["already_archived"] == 10
    assert len(archive_documents(ops.client("s3"), ops.bucket)) == 25
    assert counted(ops, dlq_q, "delete_fails_once_then_rerun")["left"] == 0


def test_pointers_are_archived_as_pointers(dlq_env, monkeypatch):
    """A rejected_records_pointer (docs/metrics.md) is archived as the pointer: its records stay where the job
    wrote them, untouched, and the report counts them."""
    ops = dlq_env
    records_uri = f"s3://{ops.bucket}/audit/rejected/job_name=customer_import/job_run_id=jr_0123/"
    ops.client("s3").put_object(Bucket=ops.bucket, Key="audit/rejected/job_name=customer_import/"
                                "job_run_id=jr_0123/part-00000.json", Body=b'{"record": {"id": 1}}\n')
    context = {"job_name": "customer_import", "job_run_id": "jr_0123", "environment": "prod",
               "trace_id": "1-6751a2b0-0123456789abcdef01234567", "timestamp": "2026-12-05T10:00:00.000Z"}
    pointer = context | {
        "message_type": "rejected_records_pointer", "status": "stored", "records_uri": records_uri,
        "record_count": 99902, "inline_count": 100, "rejected_count": 100002, "failed_rules": ["email_format"],
        "failed_rule_counts": {"email_format": 99902}, "reason": "email does not match", "error": None,
    }  # fmt: skip
    broken = pointer | {"job_run_id": "jr_0124", "status": "write_failed", "record_count": 50,
                        "error": "S3Exception: throttled"}
    record = context | {"message_type": "rejected_record", "reason": "email is missing",
                        "failed_rules": ["email_not_null"], "record": {"customer_id": "C1"}}
    dlq_q = ops.dlq(0, bodies=[json.dumps(pointer), json.dumps(broken), json.dumps(record)],
                    attrs={"job_name": {"DataType": "String", "StringValue": "customer_import"}})
    monkeypatch.setenv("DLQ_QUEUES", dlq_q.name)
    detail = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert (detail["archived"], detail["pointers"], detail["pointer_records"], detail["pointers_incomplete"]) == (
        3, 2, 99952, 1
    )
    docs = archive_documents(ops.client("s3"), ops.bucket)
    kinds = sorted(k.split("/")[3] for k in docs)
    assert kinds == ["rejected_record", "rejected_records_pointer", "rejected_records_pointer"]
    stored = next(d for d in docs.values() if (d.get("pointer") or {}).get("status") == "stored")
    assert stored["pointer"]["records_uri"] == records_uri and json.loads(stored["body"]) == pointer
    assert stored["message_attributes"]["job_name"]["StringValue"] == "customer_import"
    assert ops.client("s3").list_objects_v2(Bucket=ops.bucket, Prefix="audit/rejected/")["KeyCount"] == 1  # untouched
    message = ops.critical.messages()[0]["Message"]
    assert "Pointers to rejected records kept as pointers: 2, for 99952 record(s)" in message
    assert "incomplete (status write_failed): 1" in message


def test_with_a_consumer_old_messages_are_archived_young_ones_redriven_poison_held(dlq_env, monkeypatch):
    """DLQ_ARCHIVE_AGE_SECONDS=2: the 5 messages sent 3 s before the run are archived, the 5 young ones go to
    the declared consumer, the 2 young poison ones (redriven 3 times already) stay."""
    ops = dlq_env
    dlq_q = ops.dlq(5, source=True)
    time.sleep(3)
    young = [json.dumps({"young": i, "id": uuid.uuid4().hex}) for i in range(5)]
    poison = [json.dumps({"poison": i, "id": uuid.uuid4().hex}) for i in range(2)]
    sqs = ops.client("sqs")
    for body in young:
        sqs.send_message(QueueUrl=dlq_q.url, MessageBody=body)
    for body in poison:
        sqs.send_message(QueueUrl=dlq_q.url, MessageBody=body, MessageAttributes={
            "remediation-redrive-count": {"DataType": "Number", "StringValue": "3"}})
    monkeypatch.setenv("DLQ_REDRIVE_TARGETS", json.dumps({dlq_q.name: dlq_q.source}))
    monkeypatch.setenv("DLQ_ARCHIVE_AGE_SECONDS", "2")
    detail = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert (detail["archived"], detail["redriven"], detail["held"]) == (5, 5, 2)
    assert sorted(d["body"] for d in archive_documents(ops.client("s3"), ops.bucket).values()) == sorted(dlq_q.bodies)
    assert sorted(drain(sqs, dlq_q.source_url)) == sorted(young)
    assert sorted(drain(sqs, dlq_q.url)) == sorted(poison)
    assert ops.info.messages()[0]["Subject"].endswith("5 archived, 5 redriven, 2 left")  # nothing failed: info


def test_the_archive_age_is_capped_by_the_queues_retention(dlq_env):
    ops = dlq_env
    short = ops.dlq(0, name="short", retention=3600)
    long = ops.dlq(0, name="long")  # SQS's default: 4 days
    cfg = Config.from_env({"DLQ_ARCHIVE_AGE_SECONDS": "864000"})
    sqs = ops.client("sqs")
    assert dlq.archive_age(sqs, short.url, cfg) == 2880  # 80 % of an hour
    assert dlq.archive_age(sqs, long.url, cfg) == int(345600 * 0.8)


def test_each_run_is_bounded(archive_env, monkeypatch):
    ops, dlq_q = archive_env
    monkeypatch.setenv("DLQ_MAX_MESSAGES", "15")
    detail = invoke(depth_alarm(dlq_q.name))["outcomes"][0]["detail"]
    assert detail["archived"] == 15 and detail["stopped_because"] == "max_messages"
    assert counted(ops, dlq_q, "bounded_15")["left"] == 10


def test_the_scheduled_sweep_works_off_every_managed_queue(dlq_env, monkeypatch):
    """The schedule reaches messages no new alarm transition would (an alarm stays in ALARM): every queue
    of DLQ_QUEUES and DLQ_REDRIVE_TARGETS, and no other; a sweep reports to the info topic."""
    ops = dlq_env
    a, b, other = ops.dlq(3, name="a"), ops.dlq(4, name="b", source=True), ops.dlq(2, name="other")
    monkeypatch.setenv("DLQ_QUEUES", a.name)
    monkeypatch.setenv("DLQ_REDRIVE_TARGETS", json.dumps({b.name: b.source}))
    event = load_event("scheduled_daily.json", event_id=str(uuid.uuid4()), time="2026-11-26T06:00:00Z")
    outcomes = invoke(event)["outcomes"]
    assert [(o["detail"]["queue"], o["detail"]["archived"], o["detail"]["redriven"]) for o in outcomes] == [
        (a.name, 3, 0), (b.name, 0, 4)
    ]
    assert len(peek(ops.client("sqs"), other.url)) == 2
    assert len(ops.info.messages()) == 2 and ops.critical.messages(wait=0) == []


def test_an_age_alarm_works_the_queue_off_too(archive_env):
    ops, dlq_q = archive_env
    out = invoke(depth_alarm(dlq_q.name, signal="age"))["outcomes"][0]
    assert out["action"] == "dlq" and out["detail"]["archived"] == 25
