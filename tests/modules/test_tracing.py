"""modules/tracing on the emulator (examples bundle): the insights EventBridge rule and its target
(LocalStack), the job role's trace policy (moto IAM); the X-Ray sampling rules, groups and encryption config
(emulator gaps) from the plan.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

PLAN_PREFIX = "module.tracing__complete.module.tracing."


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example("tracing")


def insight_event(group: str, state: str = "ACTIVE", detail_type: str = "AWS X-Ray Insight Update") -> dict:
    """An X-Ray insight notification as EventBridge delivers it (source aws.xray)."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": "aws.xray",
        "account": "100000000001", "time": "2026-11-26T12:00:00Z", "region": "us-east-1", "resources": [],
        "detail": {"InsightId": str(uuid.uuid4()), "GroupName": group, "State": state, "Categories": ["FAULT"],
                   "Summary": "Fault rate is higher than normal",
                   "GroupARN": f"arn:aws:xray:us-east-1:100000000001:group/{group}/x"},
    }


def test_insights_rule_matches_the_notifying_pipelines_only(applied_examples, out):
    events = applied_examples.client("events")
    rule = events.describe_rule(Name=out["insights_rule_name"])
    pattern = json.loads(rule["EventPattern"])
    groups = out["group_names"]
    assert pattern["source"] == ["aws.xray"] and pattern["detail-type"] == ["AWS X-Ray Insight Update"]
    assert sorted(pattern["detail"]["GroupName"]) == sorted([groups["orders"], groups["customers"]])

    def matches(event: dict) -> bool:
        return events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(event))["Result"]

    assert matches(insight_event(groups["orders"]))
    assert matches(insight_event(groups["customers"], state="CLOSED"))
    assert not matches(insight_event(groups["backfill"])), "backfill has no insights notifications"
    assert not matches(insight_event("someone-elses-group"))
    assert not matches(insight_event(groups["orders"], detail_type="AWS API Call via CloudTrail"))


def test_insights_go_to_the_warning_topic(applied_examples, out):
    targets = applied_examples.client("events").list_targets_by_rule(Rule=out["insights_rule_name"])["Targets"]
    assert [t["Arn"] for t in targets] == [out["warning_topic_arn"]]


def test_an_insight_event_reaches_the_warning_topics_subscribers(applied_examples, out):
    """PutEvents with an insight of the orders group: EventBridge -> the warning topic -> an SQS subscriber."""
    sqs, sns, events = (applied_examples.client(s) for s in ("sqs", "sns", "events"))
    queue_url = sqs.create_queue(QueueName=f"ex-tracing-test-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sub = None
    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=out["warning_topic_arn"], Protocol="sqs", Endpoint=queue_arn,
                            Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        event = insight_event(out["group_names"]["orders"])
        entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"])}
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
        deadline, bodies = time.monotonic() + 20, []
        while time.monotonic() < deadline and not bodies:
            bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])]
        assert bodies, "the insight event did not reach the warning topic's subscriber"
        delivered = json.loads(bodies[0])
        assert delivered["detail"]["InsightId"] == event["detail"]["InsightId"]
    finally:
        if sub:
            sns.unsubscribe(SubscriptionArn=sub)
        sqs.delete_queue(QueueUrl=queue_url)


def test_job_role_may_only_send_trace_segments(applied_examples, out):
    iam = applied_examples.client("iam")
    doc = iam.get_role_policy(RoleName=out["job_role_name"], PolicyName="send-traces")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc == json.loads(out["job_policy_json"])
    # on the emulator the encryption config is off (a gap), so the policy is PutTraceSegments alone
    assert doc["Statement"] == [{"Sid": "SendTraceSegments", "Effect": "Allow", "Action": "xray:PutTraceSegments",
                                 "Resource": "*"}]


@pytest.mark.plan
def test_planned_groups_filter_each_pipeline(examples_plan):
    groups = {a.rsplit('"', 2)[1]: rc["change"]["after"] for a, rc in examples_plan.resource_changes.items()
              if a.startswith(PLAN_PREFIX + "aws_xray_group.this")}
    assert groups["orders"]["filter_expression"] == (
        'annotation.job_name = "ex-orders-extract" OR annotation.job_name = "ex-orders-load"')
    assert groups["customers"]["filter_expression"].startswith('annotation.job_name = "customer_import" AND (')
    assert groups["backfill"]["insights_configuration"] == [{"insights_enabled": False, "notifications_enabled": False}]
    assert groups["orders"]["insights_configuration"] == [{"insights_enabled": True, "notifications_enabled": True}]


@pytest.mark.plan
def test_planned_job_policy_adds_the_key_through_xray_only(examples_plan):
    """With the encryption config on (the plan; a gap on the emulator), the job policy also lets the job use
    the key, and only through X-Ray (kms:ViaService)."""
    address = PLAN_PREFIX + "data.aws_iam_policy_document.job"
    if address in examples_plan.resource_changes:  # read at apply: the key is created in the same run
        doc = examples_plan.resource_changes[address]["change"]["after"]
    else:  # the bundle is applied already: read during the plan, it is in the refreshed state
        doc = _state_values(examples_plan.doc["prior_state"]["values"]["root_module"], address)
    statements = {s["sid"]: s for s in doc["statement"]}
    assert set(statements) == {"SendTraceSegments", "EncryptTracesThroughXRay"}
    assert statements["SendTraceSegments"]["actions"] == ["xray:PutTraceSegments"]
    kms = statements["EncryptTracesThroughXRay"]
    assert kms["actions"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms["condition"] == [{"test": "StringEquals", "variable": "kms:ViaService",
                                 "values": ["xray.us-east-1.amazonaws.com"]}]


def _state_values(module: dict, address: str) -> dict:
    for resource in module.get("resources", []):
        if resource["address"] == address:
            return resource["values"]
    for child in module.get("child_modules", []):
        found = _state_values(child, address)
        if found:
            return found
    return {}
