"""The daily health check against the emulator: the CLI's exit status for a healthy and an unhealthy system
(run as `python -m tools.health_check`, the way an operator or cron runs it), and the scheduled Lambda handler
in-process. Glue runs are moto's (always SUCCEEDED); a failing success rate is shown in-process by making
the handler's Glue client see FAILED runs, the same shim as tests/lambdas/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from harness.settings import ROOT
from lambda_src.common import aws

os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Glue/ETL/test/Operations")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "health-check-test")

from lambda_src.health_check import handler  # noqa: E402
from tools import health_check  # noqa: E402

pytestmark = pytest.mark.python
ACCOUNT = "000000000000"


class System:
    def __init__(self, emulator):
        self.emulator = emulator
        self.env = emulator.shell_env(account=ACCOUNT)
        s = uuid.uuid4().hex[:8]
        self.suffix = s
        glue, sqs, s3 = (emulator.client(x, account=ACCOUNT) for x in ("glue", "sqs", "s3"))
        self.job = f"hc-orders-{s}"
        glue.create_job(
            Name=self.job,
            Role=f"arn:aws:iam::{ACCOUNT}:role/glue",
            Command={"Name": "glueetl", "ScriptLocation": "s3://x/y.py"},
            ExecutionProperty={"MaxConcurrentRuns": 10},
        )
        self.runs = [glue.start_job_run(JobName=self.job)["JobRunId"] for _ in range(4)]
        self.dlq = f"hc-{s}-dlq"
        self.dlq_url = sqs.create_queue(QueueName=self.dlq)["QueueUrl"]
        self.bucket = f"hc-lake-{s}"
        s3.create_bucket(Bucket=self.bucket)
        s3.put_object(Bucket=self.bucket, Key="silver/customers/year=2026/part-0.parquet", Body=b"x")
        self.fresh = f"s3://{self.bucket}/silver/customers/"
        self.empty = f"s3://{self.bucket}/silver/orders/"
        self.sqs = sqs

    def args(self, *extra: str) -> list[str]:
        return ["--jobs", self.job, "--dlq", self.dlq, "--freshness", f"{self.fresh}=26", *extra]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | self.env
        return subprocess.run(
            [sys.executable, "-m", "tools.health_check", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def system(emulator, monkeypatch) -> System:
    sys_ = System(emulator)
    for k, v in sys_.env.items():
        monkeypatch.setenv(k, v)
    aws.reset()
    yield sys_
    aws.reset()


def test_cli_healthy_system_exits_0(system):
    proc = system.cli(*system.args())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HEALTHY" in proc.stdout and "UNHEALTHY" not in proc.stdout
    assert system.job in proc.stdout and "100%" in proc.stdout and system.dlq in proc.stdout


def test_cli_unhealthy_system_exits_1(system):
    system.sqs.send_message(QueueUrl=system.dlq_url, MessageBody='{"record": 1}')
    proc = system.cli(*system.args("--freshness", f"{system.empty}=26", "--json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    results = {(r["check"], r["target"]): r for r in json.loads(proc.stdout)["results"]}
    assert results[("dlq_depth", system.dlq)]["status"] == "FAIL"
    assert results[("dlq_depth", system.dlq)]["value"] == "1"
    assert results[("freshness", system.empty)]["status"] == "FAIL"  # nothing was ever written
    assert results[("freshness", system.fresh)]["status"] == "OK"
    assert results[("success_rate", system.job)]["status"] == "OK"


def test_cli_stale_prefix_fails(system):
    time.sleep(2)
    proc = system.cli("--jobs", system.job, "--freshness", f"{system.fresh}=0.0001")  # 0.36 s
    assert proc.returncode == 1 and "FAIL" in proc.stdout


def test_cli_cannot_check_exits_2(system):
    proc = system.cli("--jobs", system.job, "--dlq", f"hc-{system.suffix}-missing")
    assert proc.returncode == 2 and "ERROR" in proc.stdout
    assert system.cli("--freshness", "not-an-s3-uri=3").returncode == 2  # usage error


def test_failed_runs_make_the_success_rate_fail(system, capsys):
    """3 of 4 runs failed (in the handler's eyes) -> 25% < 95% -> FAIL, exit 1."""
    failed = set(system.runs[:3])

    def shim(parsed, **_kw):
        for run in parsed.get("JobRuns", []):
            if run["Id"] in failed:
                run["JobRunState"] = "FAILED"

    aws.client("glue").meta.events.register("after-call.glue.GetJobRuns", shim)
    assert health_check.main([*system.args(), "--no-colour"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("success_rate"))
    assert "FAIL" in row and "25%" in row and "1 succeeded, 3 failed" in row


def test_log_based_success_rate(system, capsys):
    logs = system.emulator.client("logs", account=ACCOUNT)
    group = f"/aws-glue/jobs/hc-{system.suffix}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="jr_1")
    now = int(time.time() * 1000)
    lines = [{"event": "job_completed_successfully", "job_name": system.job}] * 3 + [
        {"event": "job_failed", "job_name": system.job},
        {"event": "extract_phase_completed", "job_name": system.job},
    ]
    events = [{"timestamp": now - 1000 + i, "message": json.dumps(m)} for i, m in enumerate(lines)]
    logs.put_log_events(logGroupName=group, logStreamName="jr_1", logEvents=events)
    assert health_check.main(["--jobs", system.job, "--log-group", group, "--json"]) == 1
    results = {r["check"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert results["log_success_rate"]["value"] == "75%" and results["log_success_rate"]["status"] == "FAIL"


def test_scheduled_handler_alerts_when_unhealthy(system, monkeypatch):
    sns, sqs = (system.emulator.client(x, account=ACCOUNT) for x in ("sns", "sqs"))
    topic = sns.create_topic(Name=f"hc-warning-{system.suffix}")["TopicArn"]
    inbox = sqs.create_queue(QueueName=f"hc-warning-{system.suffix}-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    monkeypatch.setenv("HEALTH_JOBS", system.job)
    monkeypatch.setenv("HEALTH_DLQ_QUEUES", system.dlq)
    monkeypatch.setenv("HEALTH_FRESHNESS", json.dumps({system.fresh: 26, system.empty: 26}))
    monkeypatch.setenv("ALERT_TOPIC_ARN", topic)
    event = json.loads((ROOT / "tests/lambdas/events/scheduled_daily.json").read_text())

    class Ctx:
        function_name, memory_limit_in_mb, aws_request_id = "health-check", 128, "r1"
        invoked_function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:health-check"

    result = handler.lambda_handler(event, Ctx())
    assert result["status"] == "unhealthy" and result["exit_code"] == 1 and result["published_to"] == [topic]
    msgs = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=2).get("Messages", [])
    body = json.loads(msgs[0]["Body"])
    assert "UNHEALTHY" in body["Subject"] and system.empty in body["Message"]

    monkeypatch.setenv("HEALTH_FRESHNESS", json.dumps({system.fresh: 26}))
    assert handler.lambda_handler(event, Ctx())["status"] == "healthy"
