"""Helpers for the Lambda handler tests: fixture events, a fake Lambda context, EMF and log parsing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import EndpointConnectionError

EVENTS = Path(__file__).parent / "events"
ACCOUNT = "000000000000"  # moto serves Glue from this account whatever the key
PREFIX = "ex-ops"  # ALARM_NAME_PREFIX of the fixture alarms


def load_event(name: str, **subs: str) -> dict[str, Any]:
    """A fixture event from tests/lambdas/events with its __PLACEHOLDERS__ filled in."""
    text = (EVENTS / name).read_text()
    if "job" in subs:  # alarm names carry the job's key in job_monitoring, the dimensions the Glue job's name
        subs.setdefault("job_key", subs["job"])
    for key, value in sorted(subs.items(), key=lambda kv: -len(kv[0])):  # __JOB_KEY__ before __JOB__
        text = text.replace(f"__{key.upper()}__", value)
    return json.loads(text)


@dataclass
class FakeContext:
    function_name: str = "test-remediation"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_ms: int = 300_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def emf_metrics(stdout: str) -> Counter:
    """Sum of every Powertools EMF metric printed on stdout, by metric name."""
    totals: Counter = Counter()
    for line in stdout.splitlines():
        try:
            blob = json.loads(line)
        except ValueError:
            continue
        if not isinstance(blob, dict) or "_aws" not in blob:
            continue
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals


def logged(caplog, message: str | None = None) -> list[dict[str, Any]]:
    """The Powertools log records (with their `extra` keys) captured by pytest's caplog."""
    return [
        dict(r.__dict__) for r in caplog.records if r.name != "root" and (message is None or r.getMessage() == message)
    ]


# -- dead-letter queues ---------------------------------------------------------------------------------------


def drain(sqs, url: str) -> list[str]:
    """Receive and delete every message of the queue; their bodies."""
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def peek(sqs, url: str) -> list[str]:
    """The bodies of the messages visible in the queue, which stay in it (visible again afterwards)."""
    seen: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=60
        ).get("Messages", [])
        if not got:
            break
        seen += got
    for i in range(0, len(seen), 10):
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for j, m in enumerate(seen[i : i + 10])
            ],
        )
    return [m["Body"] for m in seen]


def archive_documents(s3, bucket: str, prefix: str = "dlq-archive/") -> dict[str, dict[str, Any]]:
    """Every archive object under the prefix: key -> the archived message (parsed)."""
    docs = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            docs[obj["Key"]] = json.loads(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
    return docs


def tally(sqs, s3, bucket: str, dlq_url: str, bodies: list[str], source_url: str | None = None) -> dict[str, int]:
    """Where every injected message is now: still in the DLQ, archived, redriven; and how many are nowhere."""
    left = peek(sqs, dlq_url)
    archived = {d["body"] for d in archive_documents(s3, bucket).values()}
    redriven = peek(sqs, source_url) if source_url else []
    injected = set(bodies)
    return {
        "injected": len(injected),
        "archived": len(archived & injected),
        "redriven": len(set(redriven) & injected),
        "left": len(set(left) & injected),
        "in_dlq_and_archive": len(set(left) & archived),
        "lost": len(injected - archived - set(left) - set(redriven)),
    }


def depth_alarm(queue: str, signal: str = "depth", state_change_time: str = "2026-11-26T10:05:00.000+0000") -> dict:
    """The dead_letter_queue module's `<queue>-<signal>-warning` alarm through SNS."""
    event = load_event(
        "sns_dlq_depth_alarm.json",
        queue=queue,
        topic="warning",
        message_id=str(uuid.uuid4()),
        state_change_time=state_change_time,
    )
    if signal != "depth":
        message = event["Records"][0]["Sns"]["Message"].replace(f"{queue}-depth-", f"{queue}-{signal}-")
        event["Records"][0]["Sns"]["Message"] = message.replace(
            "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"
        )
    return event


# -- fault injection and Glue runs -------------------------------------------------------------------------------


@contextmanager
def hooked(service: str, event: str, hook: Callable[..., Any]) -> Iterator[None]:
    """`hook` registered for a botocore `event` (e.g. before-call.s3.PutObject) on the handler's own client."""
    from lambda_src.common import aws  # late: Powertools settings come first (conftest)

    client = aws.client(service)
    client.meta.events.register(event, hook)
    try:
        yield
    finally:
        client.meta.events.unregister(event, hook)


def refusing(calls: Callable[[int], bool], endpoint: str = "https://aws.example") -> Callable[..., None]:
    """A before-call hook that fails the calls whose number (1, 2, ...) `calls` picks, as an outage would."""
    seen = {"n": 0}

    def hook(**_kwargs: Any) -> None:
        seen["n"] += 1
        if calls(seen["n"]):
            raise EndpointConnectionError(endpoint_url=endpoint)

    return hook


def glue_failed(job: str, run_id: str) -> dict[str, Any]:
    """EventBridge "Glue Job State Change" FAILED for the run."""
    return load_event("glue_job_failed.json", job=job, run_id=run_id, event_id=str(uuid.uuid4()))


def failed_run(ops, glue_shim, job: str, message: str = "boom", **fields: Any) -> str:
    """A run of the job on the emulator that the handler sees FAILED with `message` (and `fields`)."""
    run = ops.client("glue").start_job_run(JobName=job, Arguments={"--source_date": "2026-11-26"})["JobRunId"]
    glue_shim({run: {"JobRunState": "FAILED", "ErrorMessage": message, **fields}})
    return run


def retries_of(ops, job: str, original: str) -> list[dict[str, Any]]:
    """The runs the remediation started for `original` (unshimmed: the emulator's own state)."""
    from lambda_src.remediation.retry import MARK_ORIGINAL

    runs = ops.client("glue").get_job_runs(JobName=job)["JobRuns"]
    return [r for r in runs if (r.get("Arguments") or {}).get(MARK_ORIGINAL) == original]
