"""Shared helpers of the job-framework tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT = "100000000031"  # LocalStack isolates accounts by access key: nothing else lives here
AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAMPLE_ROWS, SAMPLE_BAD_EVERY = 200, 20
RULE_OF_KIND = {  # examples/sample_data.py's bad-row kinds -> the example job's rule each one breaks
    "email_missing": "email_not_null",
    "email_malformed": "email_format",
    "duplicate": "customer_id_unique",
    "country": "country_allowed",
    "lifetime_value": "lifetime_value_range",
    "signup_after_update": "signup_before_update",
}


@dataclass
class Aws:
    """Clients for one account of the emulator, and the resources a job run needs."""

    emulator: Any
    account: str = ACCOUNT
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.emulator.client(service, account=self.account)
        return self._clients[service]

    def new_bucket(self) -> str:
        name = f"gluejobs-audit-{secrets.token_hex(4)}"
        self.client("s3").create_bucket(Bucket=name)
        return name

    def new_queue(self) -> str:
        return self.client("sqs").create_queue(QueueName=f"gluejobs-dlq-{secrets.token_hex(4)}")["QueueUrl"]

    # -- reading back ----------------------------------------------------------------------------------------

    def metric(
        self,
        environment: str,
        job_name: str,
        metric: str,
        stat: str = "Sum",
        stage: str | None = None,
        since: datetime | None = None,
    ) -> list[float]:
        dims = [{"Name": "JobName", "Value": job_name}, {"Name": "Environment", "Value": environment}]
        if stage:
            dims.append({"Name": "Stage", "Value": stage})
        now = datetime.now(UTC)
        response = self.client("cloudwatch").get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "m",
                    "MetricStat": {
                        "Metric": {"Namespace": f"Glue/ETL/{environment}", "MetricName": metric, "Dimensions": dims},
                        "Period": 60,
                        "Stat": stat,
                    },
                }
            ],
            StartTime=(since or now - timedelta(minutes=15)) - timedelta(minutes=2),
            EndTime=now + timedelta(minutes=2),
        )
        return list(response["MetricDataResults"][0]["Values"])

    def metric_names(self, environment: str, job_name: str) -> set[str]:
        paginator = self.client("cloudwatch").get_paginator("list_metrics")
        names = set()
        for page in paginator.paginate(
            Namespace=f"Glue/ETL/{environment}", Dimensions=[{"Name": "JobName", "Value": job_name}]
        ):
            for m in page["Metrics"]:
                names.add(m["MetricName"])
        return names

    def trace_documents(self, trace_id: str) -> list[dict[str, Any]]:
        traces = self.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]
        assert len(traces) == 1, f"trace {trace_id} not in X-Ray: {traces}"
        return [json.loads(s["Document"]) for s in traces[0]["Segments"]]

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        s3 = self.client("s3")
        out = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                out[obj["Key"]] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        return out

    def drain(self, queue_url: str, expected: int, timeout: float = 30) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(messages) < expected and time.monotonic() < deadline:
            got = sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
            ).get("Messages", [])
            for m in got:
                messages.append(m)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return messages


@dataclass
class Run:
    """A finished (or failed) job run and everything it printed."""

    job: Any
    result: Any
    log: str
    error: BaseException | None = None

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.splitlines() if line.strip()]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["event"] == name]

    def event(self, name: str) -> dict[str, Any]:
        found = self.events(name)
        assert len(found) == 1, f"expected one {name!r} line, got {len(found)}: {self.log[-3000:]}"
        return found[0]


class RecordingLog:
    """A stand-in for the structlog logger: keeps ``(level, event, fields)``."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict]] = []

    def __getattr__(self, level):
        return lambda event, **kw: self.records.append((level, event, kw))

    def events(self, level: str | None = None) -> list[str]:
        return [event for lvl, event, _ in self.records if level is None or lvl == level]

    def fields(self, event: str) -> dict:
        (found,) = [kw for _, ev, kw in self.records if ev == event]
        return found
