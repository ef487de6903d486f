"""modules/data_lake_monitoring: planned (names, dimensions, metric math, filter patterns), replayed with alarm_eval
over the plan (growth, error rate, denied reads), applied on the emulator (examples/complete in the examples bundle)
and read back with boto3, and one alert path end to end.

What the emulator proves: LocalStack stores the S3 request-metrics configurations (PutBucketMetricsConfiguration,
with and without a prefix filter), the metric filters and the alarms as planned, and re-plans them empty; a 5xxErrors
datapoint as S3 would publish it (AWS/S3, BucketName + FilterId) turns the critical alarm to ALARM and its
notification reaches a subscriber of the critical topic. What it cannot: S3 publishes no request metrics or
BucketSizeBytes there, LocalStack does not evaluate metric-math or anomaly-band alarms the way CloudWatch does, and
its metric filters match JSON patterns loosely; those are proven on the plan with alarm_eval (its filter-pattern and
metric-math evaluators).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from e2e.scenarios import Inbox, wait_until
from policy import check_alarm_policy

from alarm_eval.engine import run
from alarm_eval.logfilter import FilterPattern
from alarm_eval.plan import from_document
from alarm_eval.scenario import from_dict
from alarm_eval.topology import build

MODULE = "data_lake_monitoring"
KEY = "module.data_lake_monitoring__complete"
ADDR = f"{KEY}.module.data_lake_monitoring"
PREFIX = "ex-dlm-complete"
RUNBOOK = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/modules/data_lake_monitoring/README.md"
ROLE = f"{PREFIX}-job"
NAMESPACE = "Glue/ETL/ex/Security"
TRAIL = f"{PREFIX}-cloudtrail"
# alarm key -> (name suffix, threshold)
EXPECTED = {
    **{f"{k}/server_errors-{s}": (f"{k}-s3-5xx-errors-{s}", t) for k in ("raw", "landing", "curated")
       for s, t in (("warning", 5), ("critical", 50))},
    **{f"{k}/client_error_rate-{s}": (f"{k}-s3-4xx-error-rate-{s}", t) for k in ("raw", "landing", "curated")
       for s, t in (("warning", 10), ("critical", 50))},
    **{f"{k}/storage_growth-{s}": (f"{k}-s3-storage-growth-{s}", t) for k in ("raw", "curated")
       for s, t in (("info", 10), ("warning", 25))},
    "secret_reads-warning": ("secret-reads-unusual-warning", None),
    "secret_access_denied-critical": ("secret-access-denied-critical", 1),
}
BUCKET = {"raw": f"{PREFIX}-raw", "landing": f"{PREFIX}-raw", "curated": f"{PREFIX}-curated"}


def _alarms(plan) -> dict[str, dict]:
    prefix = f'{ADDR}.aws_cloudwatch_metric_alarm.this["'
    return {a[len(prefix):-2]: rc["change"]["after"] for a, rc in plan.resource_changes.items() if a.startswith(prefix)}


def _queries(alarm: dict) -> dict[str, dict]:
    return {q["id"]: q for q in alarm["metric_query"]}


def _trail_event(role: str, name: str = "GetSecretValue", error: str | None = None) -> dict:
    event = {
        "eventVersion": "1.09", "eventSource": "secretsmanager.amazonaws.com", "eventName": name,
        "awsRegion": "us-east-1", "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True,
        "userIdentity": {
            "type": "AssumedRole", "arn": f"arn:aws:sts::100000000001:assumed-role/{role}/GlueJobRunnerSession",
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
                                                 "arn": f"arn:aws:iam::100000000001:role/{role}"}},
        },
        "requestParameters": {"secretId": "arn:aws:secretsmanager:us-east-1:100000000001:secret:lake/db-AbCdEf"},
    }
    if error:
        event |= {"errorCode": error,
                  "errorMessage": "User is not authorized to perform: secretsmanager:GetSecretValue"}
    return event


def _simulate(doc: dict, **scenario):
    result = run(build(from_document(doc)), from_dict({"start": "2026-01-01T00:00:00Z", **scenario}))
    failed = [f"{c.description}: {c.detail}" for c in result.checks if not c.passed]
    assert not failed, "\n".join(failed)
    return result


# -- plan -------------------------------------------------------------------------------------------------------

@pytest.mark.plan
def test_every_alarm_is_named_prefix_what_severity_and_routed_to_its_topic(examples_plan):
    alarms = _alarms(examples_plan)
    assert set(alarms) == set(EXPECTED)
    for key, (suffix, threshold) in EXPECTED.items():
        alarm, severity = alarms[key], key.rsplit("-", 1)[1]
        assert alarm["alarm_name"] == f"{PREFIX}-{suffix}"
        assert alarm["threshold"] == threshold, key
        assert alarm["tags"] == {"Example": "data_lake_monitoring/complete", "Severity": severity}
        assert alarm["alarm_description"].startswith(f"{severity.title()}: ")
        assert alarm["alarm_description"].endswith(f"Runbook: {RUNBOOK}#{key.split('/')[-1].rsplit('-', 1)[0]}")
        assert alarm["treat_missing_data"] and alarm["datapoints_to_alarm"] >= 1
    problems = check_alarm_policy(examples_plan.doc, allow_unknown_actions=True, address_prefix=ADDR)
    assert not problems, "\n".join(problems)


@pytest.mark.plan
def test_request_metric_alarms_watch_bucket_and_filter_id(examples_plan):
    alarms = _alarms(examples_plan)
    for key in ("raw", "landing", "curated"):
        dims = {"BucketName": BUCKET[key], "FilterId": f"{PREFIX}-{key}"}
        five = alarms[f"{key}/server_errors-critical"]
        assert (five["namespace"], five["metric_name"], five["statistic"], five["dimensions"]) == (
            "AWS/S3", "5xxErrors", "Sum", dims)
        rate = _queries(alarms[f"{key}/client_error_rate-warning"])
        assert rate["error_rate"]["expression"] == "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)"
        assert rate["error_rate"]["return_data"] is True
        for qid, metric in (("errors", "4xxErrors"), ("requests", "AllRequests")):
            (m,) = rate[qid]["metric"]
            assert (m["namespace"], m["metric_name"], m["stat"], m["period"], m["dimensions"]) == (
                "AWS/S3", metric, "Sum", 10, dims)
            assert rate[qid]["return_data"] is False
    configs = {a.rsplit('"', 2)[1]: rc["change"]["after"] for a, rc in examples_plan.resource_changes.items()
               if a.startswith(f"{ADDR}.aws_s3_bucket_metric.this")}
    assert {k: (c["bucket"], c["name"], [f["prefix"] for f in c["filter"]]) for k, c in configs.items()} == {
        "raw": (BUCKET["raw"], f"{PREFIX}-raw", []),
        "landing": (BUCKET["raw"], f"{PREFIX}-landing", ["landing/"]),
        "curated": (BUCKET["curated"], f"{PREFIX}-curated", []),
    }


@pytest.mark.plan
def test_storage_growth_is_daily_size_over_the_day_before(examples_plan):
    alarms = _alarms(examples_plan)
    assert not [k for k in alarms if k.startswith("landing/storage_growth")], "a prefix entry watches no bucket size"
    for key in ("raw", "curated"):
        alarm = alarms[f"{key}/storage_growth-warning"]
        q = _queries(alarm)
        (m,) = q["size"]["metric"]
        assert (m["namespace"], m["metric_name"], m["stat"], m["period"], m["dimensions"]) == (
            "AWS/S3", "BucketSizeBytes", "Average", 86400,
            {"BucketName": BUCKET[key], "StorageType": "StandardStorage"})
        assert q["previous"]["expression"] == "size - DIFF(size)"
        assert q["growth"]["expression"] == "IF(previous > 0, 100 * DIFF(size) / previous, 0)"
        assert [i for i, x in q.items() if x["return_data"]] == ["growth"]
        # one datapoint a day, published late: two days in the window, one breaching is enough; no data keeps state
        settings = (alarm["evaluation_periods"], alarm["datapoints_to_alarm"], alarm["treat_missing_data"])
        assert settings == (2, 1, "ignore")


@pytest.mark.plan
def test_secret_reads_are_counted_from_the_trail_and_banded(examples_plan):
    alarms = _alarms(examples_plan)
    band = alarms["secret_reads-warning"]
    q = _queries(band)
    assert (band["comparison_operator"], band["threshold_metric_id"], band["threshold"]) == (
        "GreaterThanUpperThreshold", "band", None)
    assert q["band"]["expression"] == "ANOMALY_DETECTION_BAND(m1, 3)"
    (m,) = q["m1"]["metric"]
    assert (m["namespace"], m["metric_name"], m["stat"], m["period"], m["dimensions"]) == (
        NAMESPACE, "SecretReads", "Sum", 3600, None)
    denied = alarms["secret_access_denied-critical"]
    assert (denied["namespace"], denied["metric_name"], denied["statistic"], denied["dimensions"]) == (
        NAMESPACE, "SecretReadsDenied", "Sum", None)
    filters = {a.rsplit('"', 2)[1]: rc["change"]["after"] for a, rc in examples_plan.resource_changes.items()
               if a.startswith(f"{ADDR}.aws_cloudwatch_log_metric_filter.secrets")}
    for key, metric in (("reads", "SecretReads"), ("denied", "SecretReadsDenied")):
        f = filters[key]
        assert f["log_group_name"] == TRAIL
        assert f["name"] == f"{PREFIX}-secret-{'reads' if key == 'reads' else 'reads-denied'}"
        (t,) = f["metric_transformation"]
        assert (t["name"], t["namespace"], t["value"], t["default_value"], t["unit"]) == (
            metric, NAMESPACE, "1", "0", "Count")
        assert not t.get("dimensions"), "no dimensions: a default value and dimensions exclude each other"


@pytest.mark.plan
def test_filter_patterns_count_the_job_roles_reads_and_denials(examples_plan):
    patterns = {a.rsplit('"', 2)[1]: FilterPattern(rc["change"]["after"]["pattern"])
                for a, rc in examples_plan.resource_changes.items()
                if a.startswith(f"{ADDR}.aws_cloudwatch_log_metric_filter.secrets")}
    cases = {  # event -> (counted as a read, counted as denied)
        "read": (_trail_event(ROLE), (True, False)),
        "denied": (_trail_event(ROLE, error="AccessDenied"), (True, True)),
        "denied-exception": (_trail_event(ROLE, error="AccessDeniedException"), (True, True)),
        "not-found": (_trail_event(ROLE, error="ResourceNotFoundException"), (True, False)),
        "another-role": (_trail_event("someone-else"), (False, False)),
        "another-role-denied": (_trail_event("someone-else", error="AccessDenied"), (False, False)),
        "describe": (_trail_event(ROLE, name="DescribeSecret"), (False, False)),
    }
    for case, (event, (read, denied)) in cases.items():
        line = json.dumps(event)
        assert (patterns["reads"].match(line) is not None, patterns["denied"].match(line) is not None) == (
            read, denied), case


@pytest.mark.plan
def test_the_pattern_length_validation_counts_what_main_tf_builds(examples_plan):
    """variables.tf checks 129 + the roles' clause <= 1024 (it may not read main.tf's locals): keep them equal."""
    pattern = next(rc["change"]["after"]["pattern"] for a, rc in examples_plan.resource_changes.items()
                   if a == f'{ADDR}.aws_cloudwatch_log_metric_filter.secrets["denied"]')
    clause = f'$.userIdentity.sessionContext.sessionIssuer.userName = "{ROLE}"'
    assert len(pattern) == 129 + len(clause)


@pytest.mark.plan
def test_growth_alarms_fire_on_a_jump_and_keep_state_while_s3_is_silent(examples_plan):
    size = {"namespace": "AWS/S3", "metric": "BucketSizeBytes", "step": "1d",
            "dimensions": {"BucketName": BUCKET["raw"], "StorageType": "StandardStorage"}}
    # 1 TB, +1 % a day, then +30 % (a job writing twice), then steady, then S3 silent for two days
    result = _simulate(
        examples_plan.doc, name="raw grows 30 % in a day", duration="9d", alarms=[f"{PREFIX}-raw-s3-storage-growth-*"],
        series=[{**size, "values": "1000 1010 1020 1326 1326 1326 _ _ 1326"}],
    )
    first_alarm = {t.alarm.rsplit("-", 1)[1]: (t.time - result.start) / 86400 for t in result.transitions
                   if t.new == "ALARM"}
    assert set(first_alarm) == {"info", "warning"}, result.transitions
    assert all(3 <= d < 4.5 for d in first_alarm.values()), first_alarm
    quiet = _simulate(examples_plan.doc, name="raw grows 1 % a day", duration="6d",
                      alarms=[f"{PREFIX}-raw-s3-storage-growth-*"], series=[{**size, "values": "1000+10x5"}],
                      expect={"never_alarm": [f"{PREFIX}-raw-s3-storage-growth-*"]})
    assert quiet.transitions


@pytest.mark.plan
def test_error_rate_needs_enough_requests_and_three_bad_periods(examples_plan):
    dims = {"BucketName": BUCKET["curated"], "FilterId": f"{PREFIX}-curated"}

    def series(requests: str, errors: str) -> list[dict]:
        return [{"namespace": "AWS/S3", "metric": "AllRequests", "dimensions": dims, "step": "10s", "values": requests},
                {"namespace": "AWS/S3", "metric": "4xxErrors", "dimensions": dims, "step": "10s", "values": errors}]

    glob = f"{PREFIX}-curated-s3-4xx-error-rate-*"
    # 10 requests a period, all 404: below error_rate_min_requests (20), never a rate
    _simulate(examples_plan.doc, name="few requests", duration="3m", step="10s", alarms=[glob],
              series=series("10x12", "10x12"), expect={"never_alarm": [glob]})
    # 100 requests a period, 30 % 403 for a minute: warning (>= 10 %), not critical (>= 50 %)
    result = _simulate(examples_plan.doc, name="denied writes", duration="3m", step="10s", alarms=[glob],
                       series=series("100x12", "30x12"),
                       expect={"never_alarm": [f"{PREFIX}-curated-s3-4xx-error-rate-critical"]})
    assert [t.alarm for t in result.transitions if t.new == "ALARM"] == [f"{PREFIX}-curated-s3-4xx-error-rate-warning"]


@pytest.mark.plan
def test_a_denied_read_in_the_trail_pages_critical(examples_plan):
    result = _simulate(
        examples_plan.doc, name="job role denied its secret", duration="5m",
        alarms=[f"{PREFIX}-secret-access-denied-*"],
        events=[{"at": "1m", "log": {"group": TRAIL, "messages": [_trail_event(ROLE, error="AccessDenied")]}},
                {"at": "2m", "log": {"group": TRAIL,
                                     "messages": [_trail_event("someone-else", error="AccessDenied")]}}],
        expect={"transitions": [{"alarm": f"{PREFIX}-secret-access-denied-critical", "mode": "at_least",
                                 "sequence": [{"from": "OK", "to": "ALARM"}]}]},
    )
    alarms = [t for t in result.transitions if t.new == "ALARM"]
    assert len(alarms) == 1 and (alarms[0].time - result.start) < 120, alarms


@pytest.mark.plan
def test_the_dashboard_shows_rates_errors_size_and_secret_reads(examples_plan):
    rc = examples_plan.resource_changes[f"{ADDR}.aws_cloudwatch_dashboard.this[0]"]["change"]["after"]
    widgets = json.loads(rc["dashboard_body"])["widgets"]
    titles = [w["properties"].get("title") for w in widgets if w["type"] == "metric"]
    assert titles[:2] == ["curated: GET and PUT requests per second (bucket ex-dlm-complete-curated)",
                          "curated: 4xx and 5xx errors (bucket ex-dlm-complete-curated)"]
    assert "Bucket size, daily (BucketSizeBytes)" in titles and "Bucket growth over the day before (%)" in titles
    rates = widgets[1]["properties"]["metrics"]
    assert rates[0][:6] == ["AWS/S3", "GetRequests", "BucketName", BUCKET["curated"], "FilterId", f"{PREFIX}-curated"]
    assert rates[2] == [{"expression": "gets / PERIOD(gets)", "label": "GET/s", "id": "get_rate"}]
    cells = set()
    for w in widgets:  # on the 24-column grid, no two widgets overlap
        assert w["x"] + w["width"] <= 24
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                assert (x, y) not in cells, w
                cells.add((x, y))


@pytest.mark.plan
def test_create_false_creates_nothing(examples_plan):
    outputs = examples_plan.output_values["data_lake_monitoring__disabled"]["all"]
    assert outputs["alarm_arns"] == {} and outputs["request_metrics_filter_ids"] == {}
    assert outputs["dashboard_name"] is None and outputs["metric_namespace"] is None


# -- applied ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example(MODULE)


def test_request_metrics_configurations_are_stored_per_entry(applied_examples, out):
    s3 = applied_examples.client("s3")
    assert out["request_metrics_filter_ids"] == {k: f"{PREFIX}-{k}" for k in BUCKET}
    for key, filter_id in out["request_metrics_filter_ids"].items():
        config = s3.get_bucket_metrics_configuration(Bucket=BUCKET[key], Id=filter_id)["MetricsConfiguration"]
        assert config["Id"] == filter_id
        assert config.get("Filter", {}).get("Prefix") == ("landing/" if key == "landing" else None)


def test_metric_filters_are_on_the_trail_log_group(applied_examples, out):
    logs = applied_examples.client("logs")
    found = {f["filterName"]: f for f in logs.describe_metric_filters(logGroupName=TRAIL)["metricFilters"]}
    assert set(found) == set(out["metric_filter_names"].values())
    for key, name in out["metric_filter_names"].items():
        assert found[name]["filterPattern"] == out["metric_filter_patterns"][key]
        (t,) = found[name]["metricTransformations"]
        metric = {"reads": "SecretReads", "denied": "SecretReadsDenied"}[key]
        assert (t["metricNamespace"], t["metricName"]) == (NAMESPACE, metric)


def test_alarms_are_stored_as_planned(applied_examples, out):
    cloudwatch = applied_examples.client("cloudwatch")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"]}
    assert set(out["alarm_names"]) == set(EXPECTED)
    assert set(alarms) == set(out["alarm_names"].values())
    for key, name in out["alarm_names"].items():
        alarm, severity = alarms[name], key.rsplit("-", 1)[1]
        topic = out["topic_arns"][severity]
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], key
        assert alarm["AlarmArn"] == out["alarm_arns"][key]
    five = alarms[out["alarm_names"]["landing/server_errors-critical"]]
    assert sorted((d["Name"], d["Value"]) for d in five["Dimensions"]) == [
        ("BucketName", BUCKET["landing"]), ("FilterId", f"{PREFIX}-landing")]
    dashboards = applied_examples.client("cloudwatch").list_dashboards(DashboardNamePrefix=PREFIX)["DashboardEntries"]
    assert [d["DashboardName"] for d in dashboards] == [f"{PREFIX}-data-lake"] == [out["dashboard_name"]]


@pytest.mark.e2e
def test_s3_5xx_errors_page_the_critical_topic_then_recover(applied_examples, out):
    """Datapoints as S3 publishes them (AWS/S3 5xxErrors, BucketName + FilterId, one per request, 0 or 1)."""
    cloudwatch, sqs, sns = (applied_examples.client(s) for s in ("cloudwatch", "sqs", "sns"))
    name = out["alarm_names"]["raw/server_errors-critical"]
    url = sqs.create_queue(QueueName=f"e2e-dlm-critical-inbox-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=out["topic_arns"]["critical"], Protocol="sqs", Endpoint=arn,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    inbox = Inbox(sqs, url, "critical")
    dims = [{"Name": "BucketName", "Value": BUCKET["raw"]}, {"Name": "FilterId", "Value": f"{PREFIX}-raw"}]

    def throttled() -> None:  # 60 requests in the last seconds, all 503 SlowDown
        cloudwatch.put_metric_data(Namespace="AWS/S3", MetricData=[{
            "MetricName": "5xxErrors", "Dimensions": dims, "Timestamp": datetime.now(UTC), "Unit": "Count",
            "StatisticValues": {"SampleCount": 60, "Sum": 60, "Minimum": 1, "Maximum": 1}}])

    try:
        start = time.time()
        alarm = wait_until(f"{name} ALARM", lambda: [a for a in inbox.alarm_states(name, start)
                                                     if a["NewStateValue"] == "ALARM"],
                           lambda: inbox.poll(wait=2), feed=throttled, seen=inbox.seen)[0]
        assert alarm["Trigger"]["MetricName"] == "5xxErrors" and alarm["Trigger"]["Namespace"] == "AWS/S3"
        assert alarm["AlarmDescription"].endswith(f"Runbook: {RUNBOOK}#server_errors")
        ok = wait_until(f"{name} OK",
                        lambda: [a for a in inbox.alarm_states(name, start) if a["NewStateValue"] == "OK"],
                        lambda: inbox.poll(wait=2), seen=inbox.seen)[0]
        assert ok["OldStateValue"] == "ALARM"
    finally:
        sns.unsubscribe(SubscriptionArn=sub)
        sqs.delete_queue(QueueUrl=url)
