"""Fixtures for the Lambda handler tests: the handlers run in-process, their boto3 clients pointed at the
emulator's services (LocalStack: S3, SNS, SQS, Logs; moto: Glue).

What in-process testing leaves unproven (the emulator cannot execute Lambda code without Docker): the
packaged zip importing in the Lambda runtime, the IAM policy allowing each call (moto does not enforce IAM),
the event source wiring (SNS/EventBridge invoking the function), and X-Ray segments (the Tracer is disabled
outside Lambda). tests/lambdas/test_package.py covers the zip's contents and imports.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from ops_helpers import ACCOUNT, PREFIX

from lambda_src.common import aws

# Powertools reads these when a handler module is imported, which happens before any fixture runs.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Glue/ETL/test/Operations")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "ops-test")


@dataclass
class Topic:
    arn: str
    queue_url: str
    sqs: Any

    def messages(self, wait: float = 2.0) -> list[dict[str, Any]]:
        """The SNS notifications delivered to the topic's test queue so far (Subject, Message, ...)."""
        out: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=int(wait) if not out else 0
            ).get("Messages", [])
            if not got:
                return out
            for m in got:
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])


@dataclass
class Dlq:
    """A dead-letter queue a test filled, and its source queue when it has one."""

    name: str
    url: str
    bodies: list[str]
    source: str | None = None
    source_url: str | None = None


@dataclass
class OpsStack:
    """Per-test resources on the emulator: a state/report bucket and critical + info topics."""

    emulator: Any
    suffix: str
    bucket: str
    critical: Topic
    info: Topic

    def client(self, service: str):
        return self.emulator.client(service, account=ACCOUNT)

    def glue_job(self, name: str, tags: dict[str, str] | None = None) -> str:
        job = f"{name}-{self.suffix}"
        self.client("glue").create_job(
            Name=job,
            Role=f"arn:aws:iam::{ACCOUNT}:role/glue-job",
            GlueVersion="5.0",
            Command={"Name": "glueetl", "ScriptLocation": f"s3://{self.bucket}/scripts/{name}.py"},
            ExecutionProperty={"MaxConcurrentRuns": 10},
            WorkerType="G.1X",
            NumberOfWorkers=2,
            Tags=tags or {},
        )
        return job

    def dlq(
        self,
        n: int,
        *,
        name: str = "dlq",
        source: bool = False,
        attrs: dict[str, Any] | None = None,
        retention: int | None = None,
        bodies: list[str] | None = None,
    ) -> Dlq:
        """A dead-letter queue holding `n` messages (or `bodies`), with a source queue whose redrive policy
        targets it when `source`."""
        sqs = self.client("sqs")
        dlq_name = f"ex-ops-{self.suffix}-{name}"
        attributes = {"MessageRetentionPeriod": str(retention)} if retention else {}
        url = sqs.create_queue(QueueName=dlq_name, Attributes=attributes)["QueueUrl"]
        src_name = src_url = None
        if source:
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            src_name = f"{dlq_name}-src"
            policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})
            src_url = sqs.create_queue(QueueName=src_name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
        if bodies is None:
            bodies = [json.dumps({"record": i, "payload": uuid.uuid4().hex}) for i in range(n)]
        send(sqs, url, bodies, attrs)
        return Dlq(dlq_name, url, bodies, src_name, src_url)


def send(sqs, url: str, bodies: list[str], attrs: dict[str, Any] | None = None) -> None:
    for i in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(j), "MessageBody": b, **({"MessageAttributes": attrs} if attrs else {})}
                for j, b in enumerate(bodies[i : i + 10])
            ],
        )


def _topic(emulator, name: str) -> Topic:
    sns, sqs = emulator.client("sns", account=ACCOUNT), emulator.client("sqs", account=ACCOUNT)
    arn = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)
    return Topic(arn, url, sqs)


@pytest.fixture
def ops(emulator, monkeypatch) -> OpsStack:
    """Point this process at the emulator and create the per-test resources; settings go in env vars."""
    for key, value in emulator.shell_env(account=ACCOUNT).items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "ops-test")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Glue/ETL/test/Operations")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("ENVIRONMENT", "test")
    aws.reset()
    suffix = uuid.uuid4().hex[:8]
    bucket = f"ops-test-{suffix}"
    emulator.client("s3", account=ACCOUNT).create_bucket(Bucket=bucket)
    stack = OpsStack(
        emulator, suffix, bucket, _topic(emulator, f"critical-{suffix}"), _topic(emulator, f"info-{suffix}")
    )
    monkeypatch.setenv("STATE_BUCKET", bucket)
    monkeypatch.setenv("CRITICAL_TOPIC_ARN", stack.critical.arn)
    monkeypatch.setenv("NOTIFY_TOPIC_ARN", stack.info.arn)
    yield stack
    aws.reset()


@pytest.fixture
def glue_shim(ops):
    """Make the handler see some runs in states moto cannot produce (moto's runs always succeed, in 123 s).

    `glue_shim({run_id: {"JobRunState": "FAILED", "ErrorMessage": ...}})` rewrites those fields of the
    named runs in the GetJobRun/GetJobRuns answers the handler's Glue client parses. The runs themselves,
    their ids and arguments, and every new run the handler starts are real emulator state.
    """
    overrides: dict[str, dict[str, Any]] = {}

    def apply(parsed, **_kwargs):
        runs = parsed.get("JobRuns") or ([parsed["JobRun"]] if "JobRun" in parsed else [])
        for run in runs:
            run.update(overrides.get(run.get("Id"), {}))

    glue = aws.client("glue")
    glue.meta.events.register("after-call.glue.GetJobRuns", apply)
    glue.meta.events.register("after-call.glue.GetJobRun", apply)

    def set_runs(runs: dict[str, dict[str, Any]]) -> None:
        overrides.update(runs)

    yield set_runs
    glue.meta.events.unregister("after-call.glue.GetJobRuns", apply)
    glue.meta.events.unregister("after-call.glue.GetJobRun", apply)


@pytest.fixture
def remediation_env(ops, monkeypatch) -> OpsStack:
    """The remediation's settings: the alarm prefix of the fixture events, no backoff, a runbook."""
    monkeypatch.setenv("ALARM_NAME_PREFIX", PREFIX)
    monkeypatch.setenv("MAX_RETRY_ATTEMPTS", "2")
    monkeypatch.setenv("RETRY_BACKOFF_SECONDS", "0")
    monkeypatch.setenv("RUNBOOK_URL", "https://example.com/runbooks/remediation")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "remediation")
    return ops


@pytest.fixture
def dlq_env(remediation_env, monkeypatch) -> OpsStack:
    """The settings for working off dead-letter queues: the archive in the test bucket, encrypted with a KMS
    key of the emulator. Each test names its queues (DLQ_QUEUES, DLQ_REDRIVE_TARGETS)."""
    ops = remediation_env
    key = ops.client("kms").create_key(Description=f"ops-test {ops.suffix}")["KeyMetadata"]["Arn"]
    monkeypatch.setenv("ARCHIVE_KMS_KEY_ID", key)
    return ops
