"""modules/log_groups, applied (examples/complete in the examples bundle) and read back with boto3.

The metric filters are compared with docs/metrics.md itself (its "log filter" rows), so the module and the
signal contract cannot drift apart. What the emulator proves: the log groups, retention, key and filters
are stored as planned, and a log line in the job log publishes a metric in the contract's namespace. What
it cannot: LocalStack ignores filter patterns and dimensions when it publishes (every line matches), so the
patterns are proven as stored documents, not by matching; the saved queries are not created at all on the
emulators (create_query_definitions = false there) and are checked as the module's output.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from harness.settings import ROOT

MODULE = "log_groups"
PREFIX = "/ex-log-groups-complete/"
JOB_LOG = "/ex-log-groups-complete/aws-glue/jobs/output"
NAMESPACE = "Glue/ETL/staging"


def contract_log_filter_metrics() -> dict[str, tuple[str, str]]:
    """docs/metrics.md: metric -> (unit, event) for every metric emitted by a log filter."""
    text = (ROOT / "docs" / "metrics.md").read_text()
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|\s*([\w/]+)\s*\|\s*log filter \(`(\w+)`\)", text, re.M)
    return {metric: (unit, event) for metric, unit, event in rows}


def contract_log_events() -> set[str]:
    """docs/metrics.md, "Log events": the `event` values (with <phase> kept as a placeholder)."""
    section = (ROOT / "docs" / "metrics.md").read_text().split("## Log events", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([\w<>]+)`\s*\|", section, re.M))


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example(MODULE)


@pytest.mark.static
def test_the_contract_has_log_filter_metrics():
    metrics = contract_log_filter_metrics()
    assert set(metrics) == {"JobsStarted", "JobsSucceeded", "JobsFailed"}, metrics


def test_log_groups_have_retention_and_the_module_key(applied_examples, out):
    logs = applied_examples.client("logs")
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups(logGroupNamePrefix=PREFIX)["logGroups"]}
    assert set(groups) == set(out["log_group_names"]) == {
        f"{PREFIX}aws-glue/jobs/output", f"{PREFIX}aws-glue/jobs/error", f"{PREFIX}aws-glue/jobs/logs-v2",
        f"{PREFIX}lambda/remediation"}
    assert out["retention_in_days"] == 30  # staging, from retention_days_by_environment
    assert groups[f"{PREFIX}aws-glue/jobs/output"]["retentionInDays"] == 30
    assert groups[f"{PREFIX}aws-glue/jobs/error"]["retentionInDays"] == 30
    assert groups[f"{PREFIX}lambda/remediation"]["retentionInDays"] == 14
    for name, group in groups.items():
        assert group.get("kmsKeyId") == out["kms_key_arn"], name


def test_key_lets_cloudwatch_logs_encrypt_only_these_log_groups(applied_examples, out):
    kms = applied_examples.client("kms")
    assert kms.get_key_rotation_status(KeyId=out["kms_key_arn"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=out["kms_key_arn"], PolicyName="default")["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    # no other user of the key
    assert set(by_sid) == {"AccountAdministersTheKey", "CloudWatchLogsEncryptsTheEnvironmentsLogGroups"}
    logs_stmt = by_sid["CloudWatchLogsEncryptsTheEnvironmentsLogGroups"]
    assert logs_stmt["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    arns = logs_stmt["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    expected = {f"arn:aws:logs:us-east-1:{applied_examples.account}:log-group:{n}" for n in out["log_group_names"]}
    assert set(arns if isinstance(arns, list) else [arns]) == expected
    for stmt in policy["Statement"]:
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        assert all(a != "*" and not a.endswith(":*") for a in actions), stmt["Sid"]


def test_metric_filters_are_the_contract_as_stored(applied_examples, out):
    logs = applied_examples.client("logs")
    stored = {f["metricTransformations"][0]["metricName"]: f
              for f in logs.describe_metric_filters(logGroupName=JOB_LOG)["metricFilters"]}
    assert out["metric_namespace"] == NAMESPACE
    for metric, (unit, event) in contract_log_filter_metrics().items():
        f = stored[metric]
        assert f["filterName"] == out["metric_filter_names"][metric] == f"ex-log-groups-complete-{metric}"
        assert f["filterPattern"] == f'{{ $.event = "{event}" }}', metric
        (t,) = f["metricTransformations"]
        assert (t["metricNamespace"], t["metricValue"], t.get("unit")) == (NAMESPACE, "1", unit), metric
        assert t.get("dimensions") == {"JobName": "$.job_name", "Environment": "$.environment"}, metric
        assert "defaultValue" not in t, metric
    extra = stored["ErrorLogLines"]
    assert extra["filterPattern"] == '{ $.level = "error" }'
    assert extra["metricTransformations"][0]["dimensions"] == {"JobName": "$.job_name", "Environment": "$.environment"}


def test_a_job_log_line_publishes_in_the_contract_namespace(applied_examples):
    """Wiring only: LocalStack publishes for every line, whatever the pattern (see the module docstring)."""
    logs, cloudwatch = applied_examples.client("logs"), applied_examples.client("cloudwatch")
    stream = f"apply-test-{time.time_ns()}"
    logs.create_log_stream(logGroupName=JOB_LOG, logStreamName=stream)
    line = {"timestamp": "2026-01-01T00:00:00Z", "level": "info", "job_name": "customer_import",
            "job_run_id": "jr_test", "environment": "staging", "event": "job_completed_successfully",
            "trace_id": "1-abc-def", "correlation_id": "c-1"}
    logs.put_log_events(logGroupName=JOB_LOG, logStreamName=stream,
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)}])
    deadline = time.monotonic() + 15
    names: set[str] = set()
    while time.monotonic() < deadline and "JobsSucceeded" not in names:
        names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]}
        time.sleep(0.5)
    assert "JobsSucceeded" in names, names


def test_saved_queries_read_the_contract_fields(out):
    queries = out["query_strings"]
    assert set(queries) == {"successful-completions-5m", "completions-by-job", "failures", "phase-durations",
                            "run-trace"}
    events = contract_log_events()
    for key, query in queries.items():
        assert query == query.strip() and query.startswith("fields "), key
        for used in re.findall(r'event = "(\w+)"', query):
            assert used in events, f"{key} filters on {used!r}, which docs/metrics.md does not define"
    assert "stats count() as completions by bin(5m)" in queries["successful-completions-5m"]
    assert "by job_name" in queries["completions-by-job"]
    assert "error_message" in queries["failures"] and 'event = "job_failed"' in queries["failures"]
    assert "<phase>_phase_completed" in events and "_phase_completed" in queries["phase-durations"]
    assert "trace_id =" in queries["run-trace"] and "job_run_id =" in queries["run-trace"]
    assert out["query_definition_ids"] == {}  # the emulator gap: created on AWS only


@pytest.mark.plan
def test_create_false_creates_nothing(examples_plan):
    outputs = examples_plan.output_values["log_groups__disabled"]["all"]
    assert outputs["log_group_names"] == [] and outputs["metric_filter_names"] == {}
    assert outputs["kms_key_arn"] is None and outputs["query_definition_ids"] == {}
    assert len(outputs["query_strings"]) == 5  # still available to tools
