"""modules/job_monitoring beyond its plan inventory.

plan:     the example's alarms follow the alarm policy (names, severities, runbook links; actions are checked
          on the applied state, the topics' ARNs being unknown at plan time); its dashboards fit CloudWatch's
          limits without overlapping widgets; the paging example (12 jobs, small dashboard_limits) is split into pages.
apply:    on the emulator, every alarm notifies (alarm and OK) exactly the topic of its severity, composites name
          their children by ARN, the failure rules match the job's failure states and notify through an input
          transformer, the dashboards are stored as planned; the whole applied state passes the policy.
"""

from __future__ import annotations

import json

import pytest
from policy import check_alarm_policy, count_alarms

from tools.dashboard_preview import load_bodies, metric_count, outside_grid, overlaps

KEY = "module.job_monitoring__complete"
MODULE = f"{KEY}.module.job_monitoring"


def _limits_ok(bodies: dict[str, dict]) -> list[str]:
    problems = []
    for name, body in bodies.items():
        widgets = body["widgets"]
        size = len(json.dumps(body, separators=(",", ":")))
        if len(widgets) > 500 or size > 262144:
            problems.append(f"{name}: {len(widgets)} widgets, {size} bytes")
        if sum(metric_count(w) for w in widgets) > 2500:
            problems.append(f"{name}: more than 2500 metrics")
        for w in widgets:
            if metric_count(w) > 500 or len((w.get("properties") or {}).get("alarms") or []) > 100:
                problems.append(f"{name}: widget {w['properties'].get('title')} over a per-widget limit")
        if overlaps(widgets) or outside_grid(widgets):
            problems.append(f"{name}: overlapping {overlaps(widgets)} or outside the grid {outside_grid(widgets)}")
    return problems


# -- plan -------------------------------------------------------------------------------------------------------

@pytest.mark.plan
def test_example_alarms_follow_the_policy_at_plan(examples_plan):
    doc = examples_plan.doc
    assert count_alarms(doc, MODULE) == 36
    problems = check_alarm_policy(doc, allow_unknown_actions=True, address_prefix=MODULE)
    assert not problems, "\n".join(problems)


@pytest.mark.plan
def test_example_dashboards_are_within_limits_and_do_not_overlap(examples_plan):
    bodies = {n: b for n, b in load_bodies(examples_plan.doc).items() if n.startswith("ex-job-monitoring-complete")}
    assert set(bodies) == {"ex-job-monitoring-complete-etl-main", "ex-job-monitoring-complete-etl-metrics"}
    assert not _limits_ok(bodies)
    main = bodies["ex-job-monitoring-complete-etl-main"]["widgets"]
    titles = {w["properties"].get("title") for w in main}
    assert {"Glue Task Success/Failure", "Successful Job Completions (5min bins)"} <= titles
    tasks = next(w for w in main if w["properties"].get("title") == "Glue Task Success/Failure")
    assert ["Glue", "glue.driver.aggregate.numCompletedTasks", "JobName", "customer-import-ex", "JobRunId", "ALL",
            "Type", "count"] == tasks["properties"]["metrics"][1][:8]
    logs = next(w for w in main if w["type"] == "log")
    assert logs["properties"]["query"].startswith("SOURCE '/aws-glue/jobs/output' |")
    assert "stats count() by bin(5m)" in logs["properties"]["query"]
    custom = bodies["ex-job-monitoring-complete-etl-metrics"]["widgets"]
    title = "customer_import: success rate (%) and failed runs"
    rate = next(w for w in custom if w["properties"].get("title") == title)
    expression = rate["properties"]["metrics"][0][0]["expression"]
    assert expression == "100 * FILL(succeeded, 0) / (FILL(succeeded, 0) + FILL(failed, 0))"  # docs/metrics.md
    assert any(w["type"] == "alarm" for w in custom)
    assert any("ApproximateNumberOfMessagesVisible" in json.dumps(w) for w in custom)


@pytest.mark.plan
def test_dashboards_split_into_pages_before_the_limits(examples_plan):
    """modules/job_monitoring/examples/paging: 12 jobs and small dashboard_limits (planned only)."""
    bodies = {n: b for n, b in load_bodies(examples_plan.doc).items() if n.startswith("pg-jm-")}
    names = examples_plan.output_values["job_monitoring__paging"]["dashboard_names"]
    main = sorted(n for n in bodies if "-etl-main" in n)
    metrics = sorted(n for n in bodies if "-etl-metrics" in n)
    # metrics pages: 20 widgets - header, 3 DLQ widgets (5 queues each) and the alarm widget leave room for
    # one job (9 widgets); main pages: 5 health alarms per alarm widget -> 5 jobs
    assert len(main) == 3 and len(metrics) == 12, (main, metrics)
    assert names["main"] == "pg-jm-etl-main" and names["main-3"] == "pg-jm-etl-main-3"
    assert names["metrics-12"] == "pg-jm-etl-metrics-12"
    problems = _limits_ok(bodies)
    assert not problems, problems
    for name in metrics:
        widgets = bodies[name]["widgets"]
        assert len(widgets) <= 20
        assert all(metric_count(w) <= 10 for w in widgets), name
    shown = [json.dumps(bodies[n]) for n in metrics]
    for i in range(12):  # every job is on exactly one metrics page
        assert sum(f'"job{i:02d}"' in s for s in shown) == 1


# -- apply ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(applied_examples):
    return applied_examples.example("job_monitoring")


def test_every_alarm_notifies_exactly_the_topic_of_its_severity(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    topics = example["topic_arns"]
    names = [a["name"] for a in example["alarms"].values()]
    assert len(names) == 36
    found = {}
    for i in range(0, len(names), 100):
        page = cw.describe_alarms(AlarmNames=names[i:i + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        for a in page["MetricAlarms"] + page["CompositeAlarms"]:
            found[a["AlarmName"]] = a
    assert set(found) == set(names)
    for key, meta in example["alarms"].items():
        alarm = found[meta["name"]]
        topic = topics[meta["severity"]]
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], key
        assert alarm["ActionsEnabled"], key
        assert alarm["AlarmName"].endswith(f"-{meta['severity']}")
        assert "#" in alarm["AlarmDescription"].rsplit("Runbook: ", 1)[1], key


def test_composites_name_their_children_by_arn(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    health = cw.describe_alarms(AlarmNames=["ex-job-monitoring-complete-orders_hourly-health-critical"],
                                AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]
    rule = health["AlarmRule"]
    assert " AND " not in rule and rule.startswith('ALARM("arn:aws:cloudwatch:')  # the form LocalStack evaluates
    children = [a for a in example["alarms"].values() if a["job"] == "orders_hourly" and a["type"] == "metric"
                and a["severity"] in ("critical", "warning")]
    assert children and all(f'ALARM("{c["arn"]}")' in rule for c in children)
    assert "volume-anomaly-info" not in rule  # info alarms do not make a job unhealthy
    slo = cw.describe_alarms(AlarmNames=["ex-job-monitoring-complete-customer_import-slo-burn-success-rate-critical"],
                             AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]["AlarmRule"]
    assert slo.count(" AND ") == 2 and "slo-burn-success-rate-1h-info" in slo and "-5m-info" in slo


def test_failure_rules_match_the_failure_states_and_notify_a_sentence(applied_examples, example):
    events = applied_examples.client("events")
    rule = example["event_rule_names"]["orders_hourly"]
    pattern = json.loads(events.describe_rule(Name=rule)["EventPattern"])
    assert pattern == {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"],
                       "detail": {"jobName": ["orders_hourly"], "state": ["FAILED", "TIMEOUT", "STOPPED"]}}
    target = events.list_targets_by_rule(Rule=rule)["Targets"][0]
    assert target["Arn"] == example["topic_arns"]["critical"]
    template = target["InputTransformer"]["InputTemplate"]
    assert template.startswith('"CRITICAL: Glue job <job> ended in state <state>')
    assert template.endswith('https://wiki.example.com/runbooks/orders-hourly#job-failure"')


def test_dashboards_are_stored_as_planned(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    for name, body in example["dashboard_bodies"].items():
        stored = json.loads(cw.get_dashboard(DashboardName=name)["DashboardBody"])
        assert stored == json.loads(body)


def test_applied_state_passes_the_alarm_policy(applied_examples):
    root = applied_examples.root
    doc = json.loads(root.run("show", "-json").stdout)
    assert count_alarms(doc, MODULE) == 36
    problems = check_alarm_policy(doc, address_prefix=MODULE)
    assert not problems, "\n".join(problems)
