"""python -m tools.doctor on prod applied on the emulator: every check passes on the healthy account, and each
fault injected makes its own check fail and pass again once repaired.

The job checked is the one prod deploys (glue_jobs -> modules/glue_job), wired to prod's log groups, dead-letter
queue and audit trail by the composition. The DLQ scenario (`dlq_alert`) runs on prod too: it has finished
before the first fault is injected, and every fault is repaired whatever happens (`finally`, `with`).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness import settings
from tools.doctor import PASS, Account, Check, Environment, exit_code, render, run_checks

pytestmark = pytest.mark.parametrize("environment", ["prod"], indirect=True)

@pytest.fixture(scope="module")
def job(suite, dlq_alert):
    """prod's Glue job, deployed by the environment itself (glue_jobs -> modules/glue_job): (job name, role name)."""
    prod = suite.roots["environment:prod"].wait()
    outputs = Environment.from_state("prod", json.loads(prod.root.state_file.read_text())).outputs
    deployed = _value(outputs["glue_jobs"])["customer_import"]
    return deployed["job_name"], deployed["role_arn"].rsplit("/", 1)[-1]


def _value(output):
    return output["value"] if isinstance(output, dict) and "value" in output else output


def doctor(environment, job) -> dict[str, Check]:
    env = Environment.from_state("prod", json.loads(Path(environment.root.state_file).read_text()))
    account = Account(environment.client, settings.REGION)
    checks, not_found = run_checks(env, account, [job[0]])
    assert not not_found
    print(render(env, account, checks, not_found))
    return {c.id: c for c in checks}


def assert_only_fails(checks: dict[str, Check], *ids: str) -> None:
    failed = sorted(c.id for c in checks.values() if c.status != PASS)
    assert failed == sorted(ids), "\n".join(f"{c.id}: {c.status}: {c.evidence}" for c in checks.values()
                                            if c.status != PASS)
    for cid in ids:
        assert checks[cid].fix, f"{cid} fails without saying how to fix it"


def publish_a_datapoint(environment, job_name: str) -> None:
    """What the framework does at the end of a run (glue_jobs.metrics): one batched PutMetricData."""
    from glue_jobs.contract import Metric
    from glue_jobs.metrics import MetricsBuffer, cloudwatch_sender

    buffer = MetricsBuffer(job_name, "prod", cloudwatch_sender(lambda: environment.client("cloudwatch")),
                           logging.getLogger("doctor-test"))
    buffer.put(Metric.JOB_DURATION_SECONDS, 42.0)
    buffer.flush()
    assert buffer.sent == 1, "the datapoint was not published"
    cloudwatch, deadline = environment.client("cloudwatch"), time.monotonic() + 60
    while time.monotonic() < deadline:  # the emulator stores a datapoint a moment after it answered
        now = datetime.now(UTC)
        got = cloudwatch.get_metric_statistics(
            Namespace="Glue/ETL/prod", MetricName=Metric.JOB_DURATION_SECONDS.value, StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=1), Period=60, Statistics=["SampleCount"],
            Dimensions=[{"Name": "JobName", "Value": job_name}, {"Name": "Environment", "Value": "prod"}])
        if got["Datapoints"]:
            return
        time.sleep(2)
    raise AssertionError("the datapoint never showed in GetMetricStatistics")


def test_a_healthy_account_passes_every_check(environment, job):
    publish_a_datapoint(environment, job[0])
    checks = doctor(environment, job)
    assert_only_fails(checks)
    assert exit_code(list(checks.values())) == 0
    assert job[0] in checks["metrics.arrived"].evidence


def test_a_missing_or_shortened_log_group_fails_its_check(environment, job):
    logs = environment.client("logs")
    group = next(g for g in environment.outputs["log_group_names"] if g.endswith("/output"))
    before = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    try:
        logs.put_retention_policy(logGroupName=group, retentionInDays=1)
        checks = doctor(environment, job)
        assert_only_fails(checks, "logs.retention")
        assert f"--retention-in-days {before['retentionInDays']}" in checks["logs.retention"].fix
        logs.delete_log_group(logGroupName=group)
        assert_only_fails(doctor(environment, job), "logs.groups")
    finally:
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            extra = {"kmsKeyId": before["kmsKeyId"]} if before.get("kmsKeyId") else {}
            logs.create_log_group(logGroupName=group, **extra)
        logs.put_retention_policy(logGroupName=group, retentionInDays=before["retentionInDays"])
    assert_only_fails(doctor(environment, job))


class RolePolicy:
    """The job role's inline policy, changed inside a `with` block and put back at its end."""

    def __init__(self, environment, role: str):
        self.iam, self.role = environment.client("iam"), role
        self.name = self.iam.list_role_policies(RoleName=role)["PolicyNames"][0]
        doc = self.iam.get_role_policy(RoleName=role, PolicyName=self.name)["PolicyDocument"]
        self.original = doc if isinstance(doc, dict) else json.loads(doc)

    def put(self, doc: dict) -> None:
        self.iam.put_role_policy(RoleName=self.role, PolicyName=self.name, PolicyDocument=json.dumps(doc))

    def without(self, sid: str) -> dict:
        doc = json.loads(json.dumps(self.original))
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != sid]
        assert len(doc["Statement"]) == len(self.original["Statement"]) - 1, f"no statement {sid}"
        return doc

    def __enter__(self) -> RolePolicy:
        return self

    def __exit__(self, *_exc) -> None:
        self.put(self.original)


def test_a_role_without_its_logs_permission_fails_its_check(environment, job):
    with RolePolicy(environment, job[1]) as policy:
        policy.put(policy.without("WriteOwnLogGroups"))
        checks = doctor(environment, job)
        assert_only_fails(checks, "logs.role-can-write")
        assert "DENIED" in checks["logs.role-can-write"].evidence
    assert_only_fails(doctor(environment, job))


def test_a_role_that_may_not_put_metrics_in_the_namespace_fails_its_check(environment, job):
    with RolePolicy(environment, job[1]) as policy:
        policy.put(policy.without("PublishFrameworkMetrics"))
        assert_only_fails(doctor(environment, job), "metrics.role-can-put")
        other_namespace = json.loads(json.dumps(policy.original))
        for stmt in other_namespace["Statement"]:
            if stmt.get("Sid") == "PublishFrameworkMetrics":
                stmt["Condition"]["StringEquals"]["cloudwatch:namespace"] = "Glue/ETL/dev"
        policy.put(other_namespace)
        checks = doctor(environment, job)
        assert_only_fails(checks, "metrics.role-can-put")
        assert "cloudwatch:namespace=Glue/ETL/prod" in checks["metrics.role-can-put"].evidence
    assert_only_fails(doctor(environment, job))


def test_tracing_switched_off_fails_its_check(environment, job):
    glue = environment.client("glue")
    before = glue.get_job(JobName=job[0])["Job"]
    # moto answers UpdateJob with HTTP 500 whatever it is given: the job is made again with the other argument
    spec = {k: before[k] for k in ("Role", "Command", "DefaultArguments", "GlueVersion", "WorkerType",
                                   "NumberOfWorkers", "ExecutionClass", "Timeout", "MaxRetries",
                                   "ExecutionProperty", "NotificationProperty", "Description") if k in before}

    def remake(arguments: dict[str, str]) -> None:
        glue.delete_job(JobName=job[0])
        glue.create_job(Name=job[0], **spec | {"DefaultArguments": arguments})

    try:
        remake(before["DefaultArguments"] | {"--enable_tracing": "false"})
        checks = doctor(environment, job)
        assert_only_fails(checks, "tracing.enabled")
    finally:
        remake(before["DefaultArguments"])
    assert_only_fails(doctor(environment, job))


def test_a_topic_policy_that_shuts_out_eventbridge_fails_its_check(environment, job):
    sns = environment.client("sns")
    topic = environment.outputs["topic_arns"]["critical"]
    original = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    broken = json.loads(original)
    for stmt in broken["Statement"]:
        if stmt.get("Sid") == "PublisherServicesPublish":
            stmt["Principal"]["Service"] = [s for s in stmt["Principal"]["Service"] if s != "events.amazonaws.com"]
    try:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(broken))
        checks = doctor(environment, job)
        assert_only_fails(checks, "alerts.topic-policy")
        assert "critical: events.amazonaws.com may NOT publish" in checks["alerts.topic-policy"].evidence
    finally:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=original)
    assert_only_fails(doctor(environment, job))


def test_a_subscription_waiting_for_its_confirmation_fails_its_check(environment, job):
    sns = environment.client("sns")
    topic = environment.outputs["topic_arns"]["warning"]
    sub = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="on-call@example.com",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    try:
        checks = doctor(environment, job)
        assert_only_fails(checks, "alerts.subscriptions")
        assert "on-call@example.com waits for its confirmation" in checks["alerts.subscriptions"].evidence
    finally:
        sns.unsubscribe(SubscriptionArn=sub)
    assert_only_fails(doctor(environment, job))
