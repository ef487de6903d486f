"""modules/cost_alerts on the emulator (examples bundle): the EstimatedCharges alarms (LocalStack, through the
aws.us_east_1 provider) and their way to the severity topics; the budgets and the anomaly detection
(emulator gaps: Budgets and Cost Explorer exist in neither emulator) from the plan.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

PLAN_PREFIX = "module.cost_alerts__complete.module.cost_alerts."
RUNBOOK = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/cost-alerts.md#estimated-charges"


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example("cost_alerts")


@pytest.fixture(scope="module")
def alarms(applied_examples, out) -> dict[str, dict]:
    names = out["billing_alarm_names"]
    found = applied_examples.client("cloudwatch").describe_alarms(AlarmNames=list(names.values()))["MetricAlarms"]
    by_name = {a["AlarmName"]: a for a in found}
    return {key: by_name[name] for key, name in names.items()}


def test_billing_alarms_watch_estimated_charges_per_service_and_in_total(alarms, out):
    topics = out["topic_arns"]
    want = {  # <service>-<severity>: (dimensions, threshold); AWSGlue is built in, at the monthly limit
        "total-warning": ({"Currency": "USD"}, 80),
        "total-critical": ({"Currency": "USD"}, 100),
        "AWSGlue-warning": ({"ServiceName": "AWSGlue", "Currency": "USD"}, 100),
        "AmazonS3-info": ({"ServiceName": "AmazonS3", "Currency": "USD"}, 20),
    }
    assert set(alarms) == set(want)
    for key, (dimensions, threshold) in want.items():
        a, severity = alarms[key], key.rsplit("-", 1)[1]
        assert (a["Namespace"], a["MetricName"], a["Statistic"]) == ("AWS/Billing", "EstimatedCharges", "Maximum")
        assert {d["Name"]: d["Value"] for d in a["Dimensions"]} == dimensions
        assert a["Threshold"] == threshold and a["ComparisonOperator"] == "GreaterThanThreshold"
        assert a["AlarmActions"] == a["OKActions"] == [topics[severity]], key
        assert a["TreatMissingData"] == "notBreaching"
        assert (a["EvaluationPeriods"], a["DatapointsToAlarm"], a["Period"]) == (1, 1, 10)
        assert a["AlarmName"].endswith(f"-{severity}")
        assert a["AlarmDescription"].startswith(f"{severity.title()}: ") and a["AlarmDescription"].endswith(RUNBOOK)


def test_billing_alarm_notifies_its_severity_topic(applied_examples, alarms, out):
    """set-alarm-state on the total alarm: the critical topic's subscriber gets the ALARM notification
    (EstimatedCharges has no data on the emulator, so the state is set by hand)."""
    sqs, sns, cw = (applied_examples.client(s) for s in ("sqs", "sns", "cloudwatch"))
    queue_url = sqs.create_queue(QueueName=f"ex-cost-alerts-test-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sub = None
    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=out["topic_arns"]["critical"], Protocol="sqs", Endpoint=queue_arn,
                            Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        name = alarms["total-critical"]["AlarmName"]
        # from OK, whatever the emulator's own evaluation left it in: only a change of state notifies
        cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test: start from OK")
        cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test: charges above the limit")
        deadline, found = time.monotonic() + 20, None
        while time.monotonic() < deadline and not found:
            for m in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", []):
                body = json.loads(m["Body"])
                if body.get("AlarmName") == name and body.get("NewStateValue") == "ALARM":
                    found = body
        assert found, "no ALARM notification on the critical topic"
        assert found["Trigger"]["MetricName"] == "EstimatedCharges"
    finally:
        if sub:
            sns.unsubscribe(SubscriptionArn=sub)
        sqs.delete_queue(QueueUrl=queue_url)


# -- what the emulator cannot create: from the plan -------------------------------------------------------

def _planned(plan, address: str) -> dict:
    return plan.resource_changes[PLAN_PREFIX + address]["change"]["after"]


@pytest.mark.plan
def test_planned_budgets_notify_on_actual_and_forecast(examples_plan):
    budgets = {k: _planned(examples_plan, f'aws_budgets_budget.this["{k}"]')
               for k in ("glue_cost", "glue_dpu_hours", "s3_storage", "api_gateway")}
    want = {  # kind: (type, limit, unit)
        "glue_cost": ("COST", "100.0", "USD"),
        "glue_dpu_hours": ("USAGE", "200.0", "DPU-Hour"),
        "s3_storage": ("COST", "20.0", "USD"),
        "api_gateway": ("COST", "10.0", "USD"),
    }
    for kind, (budget_type, limit, unit) in want.items():
        b = budgets[kind]
        assert (b["budget_type"], b["limit_unit"], b["time_unit"]) == (budget_type, unit, "MONTHLY"), kind
        assert float(b["limit_amount"]) == float(limit), kind
    default = {(80, "ACTUAL"), (100, "ACTUAL"), (100, "FORECASTED")}
    for kind in ("glue_cost", "glue_dpu_hours", "s3_storage"):
        notes = {(n["threshold"], n["notification_type"]) for n in budgets[kind]["notification"]}
        assert notes == default, kind
        assert all(n["threshold_type"] == "PERCENTAGE" and n["comparison_operator"] == "GREATER_THAN"
                   for n in budgets[kind]["notification"])
    assert {(n["threshold"], n["notification_type"]) for n in budgets["api_gateway"]["notification"]} == {
        (90, "ACTUAL"), (150, "FORECASTED")}
    filters = {k: {f["name"]: f["values"] for f in b["cost_filter"]} for k, b in budgets.items()}
    assert filters["glue_cost"] == {"Service": ["AWS Glue"]}
    assert filters["glue_dpu_hours"] == {"Service": ["AWS Glue"], "UsageType": ["USE1-ETL-DPU-Hour"]}
    assert filters["s3_storage"]["Service"] == ["Amazon Simple Storage Service"]
    assert "S3: Storage - Standard" in filters["s3_storage"]["UsageTypeGroup"]
    assert filters["api_gateway"] == {"Service": ["Amazon API Gateway"]}


@pytest.mark.plan
def test_planned_anomaly_detection_watches_services_with_either_threshold(examples_plan):
    monitor = _planned(examples_plan, "aws_ce_anomaly_monitor.this[0]")
    assert (monitor["monitor_type"], monitor["monitor_dimension"]) == ("DIMENSIONAL", "SERVICE")
    sub = _planned(examples_plan, "aws_ce_anomaly_subscription.this[0]")
    assert sub["frequency"] == "IMMEDIATE"
    assert [s["type"] for s in sub["subscriber"]] == ["SNS"]
    dims = {o["dimension"][0]["key"]: (o["dimension"][0]["values"], o["dimension"][0]["match_options"])
            for o in sub["threshold_expression"][0]["or"]}
    assert dims == {"ANOMALY_TOTAL_IMPACT_ABSOLUTE": (["25"], ["GREATER_THAN_OR_EQUAL"]),
                    "ANOMALY_TOTAL_IMPACT_PERCENTAGE": (["20"], ["GREATER_THAN_OR_EQUAL"])}
