"""The remediation hears only what it can use (issue 12): the SNS filter policy of its subscriptions to the
critical and warning topics, lambda_src/remediation/subscription_filter.json, with filter_policy_scope =
MessageBody (modules/lambda_function's sns_subscriptions; the composition reads the same file).

On the emulator: a topic with an SQS queue subscribed through exactly that policy and scope (LocalStack
applies SNS payload-based filtering), then every kind of message the alert topics carry is published. What
arrives must be what the handler acts on; what it has no use for must not arrive.

Unproven here: SNS on AWS evaluating the policy the same way (LocalStack implements `$or`, `suffix`,
`prefix` and nested keys on the message body; AWS documents the same operators), and the policy's complexity
on AWS (5 keys, 150 combinations: LocalStack checks both when subscribing).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from ops_helpers import FakeContext, emf_metrics, load_event

from lambda_src.common.alarms import from_sns_message
from lambda_src.remediation import glue_errors, handler

pytestmark = pytest.mark.python
FILTER_POLICY_PATH = Path(handler.__file__).with_name("subscription_filter.json")
FILTER_POLICY = json.loads(FILTER_POLICY_PATH.read_text())
PREFIX = "glue-etl-prod"
HANDLED_SIGNALS = {"job-failure", "data-freshness", "depth", "age"}


def alarm_body(fixture: str, state: str = "ALARM", **subs: str) -> str:
    subs = {"prefix": PREFIX, "job": "customer_import", "queue": "glue-etl-prod-records-dlq", "topic": "critical",
            "message_id": "m", "state_change_time": "2026-11-26T10:00:00.000+0000"} | subs
    body = json.loads(load_event(fixture, **subs)["Records"][0]["Sns"]["Message"])
    body["NewStateValue"] = state
    return json.dumps(body)


def renamed(body: str, old: str, new: str) -> str:
    return body.replace(old, new)


# name -> (message body, delivered?)
MESSAGES = {
    "job-failure alarm": (alarm_body("sns_job_failure_alarm.json"), True),
    "data-freshness alarm": (alarm_body("sns_data_freshness_alarm.json"), True),
    # a DLQ incident reaches the Lambda once: at its critical alarm (the 6-hourly sweep works off the rest)
    "DLQ depth alarm, critical": (renamed(alarm_body("sns_dlq_depth_alarm.json"), "-depth-warning", "-depth-critical"),
                                  True),
    "DLQ age alarm, critical": (renamed(alarm_body("sns_dlq_depth_alarm.json"), "-depth-warning", "-age-critical"),
                                True),
    "DLQ depth alarm, warning": (alarm_body("sns_dlq_depth_alarm.json"), False),
    "DLQ age alarm, warning": (renamed(alarm_body("sns_dlq_depth_alarm.json"), "-depth-warning", "-age-warning"),
                               False),
    "glue.error category alarm": (alarm_body("sns_glue_error_alarm.json", metric="glue.error.OUT_OF_MEMORY_ERROR"),
                                  True),
    "glue.error.ALL alarm": (alarm_body("sns_glue_error_alarm.json", metric="glue.error.ALL"), True),
    "job-failure back to OK": (alarm_body("sns_job_failure_alarm.json", state="OK"), False),
    "DLQ depth INSUFFICIENT_DATA": (alarm_body("sns_dlq_depth_alarm.json", state="INSUFFICIENT_DATA"), False),
    "duration-regression alarm": (alarm_body("sns_unknown_alarm.json"), False),
    "job health composite": (renamed(alarm_body("sns_unknown_alarm.json"), "-duration-regression-", "-health-"),
                             False),
    # the job_monitoring EventBridge rule's input_template is a quoted JSON string: a string, not an object
    "Glue failure sentence (EventBridge rule)": (json.dumps(
        "CRITICAL: Glue job customer_import ended in state FAILED at 2026-11-26T10:00:41Z (run jr_0123, account "
        "123456789012, us-east-1, environment prod). Glue says: Access Denied -- Runbook: https://example.com/r"
    ), False),
    "remediation's own escalation (text)": ("Glue job customer_import run jr_0123 failed (FAILED) with "
                                            "PERMISSION_ERROR. Not retried.", False),
    "health check table (text)": ("job            check          status\ncustomer_import success_rate  FAIL", False),
    "budget notification (JSON, not an alarm)": (json.dumps({"budgetName": "glue-etl-prod-glue", "threshold": 80}),
                                                  False),
}


def test_the_policy_keeps_within_sns_limits():
    """At most 5 keys (nested: the top-level ones) and 150 combinations (the product of the value counts,
    an $or adding its branches)."""
    keys = {k for k in FILTER_POLICY if k != "$or"} | {k for branch in FILTER_POLICY["$or"] for k in branch}
    assert keys == {"NewStateValue", "AlarmName", "Trigger"}
    branches = sum(len(v) for b in FILTER_POLICY["$or"] for v in _leaves(b))
    assert len(FILTER_POLICY["NewStateValue"]) * branches <= 150


def _leaves(policy: dict) -> list[list]:
    out = []
    for value in policy.values():
        out += _leaves(value) if isinstance(value, dict) else [value]
    return out


def test_every_alarm_the_filter_admits_is_one_the_handler_acts_on():
    for name, (body, delivered) in MESSAGES.items():
        if not delivered:
            continue
        alarm = from_sns_message(body)
        assert alarm.signal in HANDLED_SIGNALS or glue_errors.is_error_metric(alarm.namespace, alarm.metric_name), name


def test_sns_delivers_exactly_what_the_handler_can_use(ops):
    sns, sqs = ops.client("sns"), ops.client("sqs")
    topic = sns.create_topic(Name=f"alerts-{ops.suffix}")["TopicArn"]
    inbox = sqs.create_queue(QueueName=f"remediation-{ops.suffix}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True,
        Attributes={"FilterPolicy": FILTER_POLICY_PATH.read_text(), "FilterPolicyScope": "MessageBody",
                    "RawMessageDelivery": "true"},
    )  # fmt: skip
    for name, (body, _) in MESSAGES.items():
        sns.publish(TopicArn=topic, Message=body, Subject=name[:100], MessageAttributes={
            "case": {"DataType": "String", "StringValue": name}})
    got: list[str] = []
    while True:
        msgs = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
        if not msgs:
            break
        for m in msgs:
            got.append(next(n for n, (body, _) in MESSAGES.items() if body == m["Body"]))
            sqs.delete_message(QueueUrl=inbox, ReceiptHandle=m["ReceiptHandle"])
    assert sorted(got) == sorted(n for n, (_, delivered) in MESSAGES.items() if delivered)


def test_a_message_that_gets_through_anyway_is_ignored_not_invalid(ops, capsys):
    """Before the filter is applied (or with a subscription without it), the failure rule's sentence reaches
    the handler: it is logged as ignored, and InvalidEvents stays 0."""
    event = load_event("sns_malformed.json", topic="critical", message_id=str(uuid.uuid4()))
    event["Records"][0]["Sns"]["Message"] = MESSAGES["Glue failure sentence (EventBridge rule)"][0]
    out = handler.lambda_handler(event, FakeContext())["outcomes"][0]
    assert (out["action"], out["result"]) == ("ignored", "ignored_event")
    assert emf_metrics(capsys.readouterr().out)["InvalidEvents"] == 0
