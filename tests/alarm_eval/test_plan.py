"""Loading alarms out of `terraform show -json`: plans (with what they leave unknown) and states, and the kinds
every alarm of the modules' plans falls into."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from alarm_eval_support import FIXTURES

from alarm_eval import load_topology
from alarm_eval.errors import InputError
from alarm_eval.kinds import classify
from alarm_eval.plan import from_document
from alarm_eval.topology import build

pytestmark = pytest.mark.python

PREFIX = "glue-etl-prod-customer_import-"


def test_every_alarm_of_the_prod_plan_loads_with_its_settings():
    topo = load_topology(FIXTURES / "prod_plan.json")
    assert (len(topo.alarms), len(topo.composites), len(topo.topics), len(topo.rules), len(topo.filters)) == (
        28,
        3,
        3,
        6,
        3,
    )
    assert (topo.account, topo.region) == ("100000000013", "us-east-1")
    latency = topo.alarms[PREFIX + "api-latency-warning"]
    assert (latency.metric.stat, latency.metric.period, latency.evaluation_periods, latency.datapoints_to_alarm) == (
        "p95",
        300,
        3,
        2,
    )
    assert latency.metric.dimensions == {"JobName": "glue-etl-prod-customer_import", "Environment": "prod"}
    errors = topo.alarms[PREFIX + "api-errors-warning"]
    assert [q.id for q in errors.queries] == ["calls", "errors", "error_rate"]
    assert errors.queries[2].expression == "IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)"
    volume = topo.alarms[PREFIX + "volume-anomaly-info"]
    assert (volume.threshold_metric_id, volume.threshold) == ("band", None)
    health = topo.composites[PREFIX + "health-warning"]
    assert health.rule.startswith('ALARM("arn:aws:cloudwatch:us-east-1:100000000013:alarm:' + PREFIX)


def test_plan_time_unknowns_are_resolved_by_severity_and_reported():
    topo = load_topology(FIXTURES / "prod_plan.json")
    critical = "arn:aws:sns:us-east-1:100000000013:glue-etl-prod-critical"
    assert topo.alarms[PREFIX + "job-failure-critical"].alarm_actions == [critical]
    assert topo.alarms[PREFIX + "api-latency-warning"].ok_actions == [critical.replace("critical", "warning")]
    assert topo.composites[PREFIX + "slo-burn-success-rate-critical"].alarm_actions == [critical]
    failure_target = next(t for t in topo.targets if t.rule == "glue-etl-prod-customer_import-job-state")
    assert failure_target.arn == critical and failure_target.transformer is not None
    assert {s.topic_arn for s in topo.subscriptions} == {critical, critical.replace("critical", "warning")}
    assert f"{PREFIX}job-failure-critical: alarm_actions -> glue-etl-prod-critical" in topo.resolved
    assert any("resolved by the severity naming convention" in w for w in topo.warnings)


def test_a_state_document_needs_no_convention():
    state = {
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "module.m.aws_sns_topic.t",
                                "mode": "managed",
                                "type": "aws_sns_topic",
                                "values": {"name": "team", "arn": "arn:aws:sns:eu-west-1:111122223333:team"},
                            },
                            {
                                "address": "module.m.aws_cloudwatch_metric_alarm.a",
                                "mode": "managed",
                                "type": "aws_cloudwatch_metric_alarm",
                                "values": {
                                    "alarm_name": "a",
                                    "arn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a",
                                    "namespace": "N",
                                    "metric_name": "M",
                                    "dimensions": {"D": "1"},
                                    "statistic": "Sum",
                                    "period": 60,
                                    "evaluation_periods": 2,
                                    "datapoints_to_alarm": None,
                                    "threshold": 1,
                                    "comparison_operator": "GreaterThanThreshold",
                                    "treat_missing_data": None,
                                    "alarm_actions": ["arn:aws:sns:eu-west-1:111122223333:team"],
                                    "metric_query": [],
                                },
                            },
                            {
                                "address": "module.m.data.aws_region.r",
                                "mode": "data",
                                "type": "aws_region",
                                "values": {"name": "eu-west-1"},
                            },
                        ]
                    }
                ]
            }
        }
    }
    topo = build(from_document(state))
    alarm = topo.alarms["a"]
    assert (alarm.datapoints_to_alarm, alarm.treat_missing_data, alarm.alarm_actions) == (
        2,
        "missing",
        ["arn:aws:sns:eu-west-1:111122223333:team"],
    )
    assert (topo.account, topo.region, topo.resolved, topo.warnings) == ("111122223333", "eu-west-1", [], [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"alarm_name": None}, "alarm_name is unknown until apply"),
        ({"metric_name": None, "metric_query": []}, "nothing to evaluate"),
        ({"statistic": None, "extended_statistic": None}, "needs statistic or extended_statistic"),
    ],
)
def test_unusable_alarms_are_input_errors(change, message):
    doc = json.loads((FIXTURES / "prod_plan.json").read_text())
    rc = next(
        r
        for r in doc["resource_changes"]
        if r["type"] == "aws_cloudwatch_metric_alarm" and r["change"]["after"]["metric_name"]
    )
    rc["change"]["after"].update(change)
    rc["change"]["after_unknown"]["alarm_name"] = change.get("alarm_name", "x") is None
    with pytest.raises(InputError, match=message):
        build(from_document(doc))


def test_kinds_of_the_prod_plan():
    kinds = classify(load_topology(FIXTURES / "prod_plan.json"))
    assert Counter(kinds.values()) == {
        "metric/static": 15,
        "math/burn-rate": 8,
        "composite/and": 2,
        "composite/or": 1,
        "band/anomaly": 1,
        "events/triggered-rules": 1,
        "math/ratio": 1,
        "metric/m-of-n": 1,
        "metric/percentile": 1,
    }
    assert kinds[PREFIX + "slo-burn-freshness-5m-info"] == "math/burn-rate"
    assert kinds[PREFIX + "data-freshness-critical"] == "metric/m-of-n"


def test_kinds_of_the_job_monitoring_example():
    kinds = classify(load_topology(FIXTURES / "job_monitoring_example_plan.json"))
    assert Counter(kinds.values()) == {
        "metric/static": 8,
        "math/burn-rate": 8,
        "band/anomaly": 5,
        "events/triggered-rules": 3,
        "metric/missing-breaching": 3,
        "metric/percentile": 3,
        "math/ratio": 2,
        "composite/and": 2,
        "composite/or": 2,
    }


def test_kinds_of_alarms_the_modules_do_not_make_yet():
    from alarm_eval_support import composite_alarm, metric_alarm, topology

    from alarm_eval.model import MetricFilter

    topo = topology(
        metric_alarm("m-of-n", evaluation_periods=3, datapoints_to_alarm=2),
        metric_alarm("from-logs", metric="JobsFailed"),
        composite_alarm("not", "ALARM(a) AND NOT ALARM(b)"),
        composite_alarm("neg", "NOT OK(a)"),
        composite_alarm("atl", "AT_LEAST(2, ALARM, (a, b, c))"),
    )
    topo.filters.append(MetricFilter("f", "/g", "", "JobsFailed", "Test", "1"))
    assert classify(topo) == {
        "atl": "composite/at-least",
        "from-logs": "logs/metric-filter",
        "m-of-n": "metric/m-of-n",
        "neg": "composite/not",
        "not": "composite/and",
    }
