"""SNS filter policies ("Amazon SNS message filtering") on message attributes and on the message body, and what
each protocol's endpoint receives."""

from __future__ import annotations

import json

import pytest
from alarm_eval_support import metric_alarm, series, simulate, topic, topology

from alarm_eval.errors import InputError
from alarm_eval.model import Subscription
from alarm_eval.sns import Notification, body_for, policy_matches, publish

pytestmark = pytest.mark.python

TOPIC = topic("alerts").arn
ATTRIBUTES = {
    "severity": {"DataType": "String", "StringValue": "critical"},
    "job": {"DataType": "String", "StringValue": "orders_hourly"},
    "attempt": {"DataType": "Number", "StringValue": "3"},
    "teams": {"DataType": "String.Array", "StringValue": '["data", "platform"]'},
}
BODY = {
    "AlarmName": "prod-orders-job-failure-critical",
    "NewStateValue": "ALARM",
    "OldStateValue": "OK",
    "Trigger": {
        "MetricName": "TriggeredRules",
        "Namespace": "AWS/Events",
        "Period": 300,
        "Dimensions": [{"name": "RuleName", "value": "prod-orders-job-state"}],
    },
}


def notification(message: str = json.dumps(BODY), attributes: dict | None = None) -> Notification:
    return Notification(0, TOPIC, "alarm", "a", message, attributes=ATTRIBUTES if attributes is None else attributes)


def sub(policy: dict | None, scope: str = "MessageAttributes", protocol: str = "sqs", raw: bool = False):
    return Subscription(TOPIC, protocol, "arn:aws:sqs:us-east-1:123456789012:inbox", policy, scope, raw)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"severity": ["critical"]}, True),
        ({"severity": ["warning", "critical"]}, True),
        ({"severity": ["warning"]}, False),
        ({"severity": ["critical"], "job": ["other"]}, False),  # keys AND
        ({"job": [{"prefix": "orders"}]}, True),
        ({"job": [{"prefix": "customer"}]}, False),
        ({"job": [{"suffix": "_hourly"}]}, True),
        ({"job": [{"suffix": "_daily"}]}, False),
        ({"severity": [{"anything-but": ["info", "warning"]}]}, True),
        ({"severity": [{"anything-but": "critical"}]}, False),
        ({"job": [{"anything-but": {"prefix": "orders"}}]}, False),
        ({"severity": [{"equals-ignore-case": "CRITICAL"}]}, True),
        ({"attempt": [{"numeric": [">", 2]}]}, True),
        ({"attempt": [{"numeric": [">=", 0, "<", 3]}]}, False),
        ({"attempt": [3]}, True),
        ({"attempt": ["3"]}, False),  # a string value does not match a Number attribute
        ({"teams": ["platform"]}, True),  # String.Array: any element
        ({"teams": ["security"]}, False),
        ({"severity": [{"exists": True}]}, True),
        ({"runbook": [{"exists": True}]}, False),
        ({"runbook": [{"exists": False}]}, True),
        ({"runbook": ["x"]}, False),  # a missing attribute matches only exists: false
        ({"$or": [{"severity": ["info"]}, {"job": ["orders_hourly"]}]}, True),
    ],
)
def test_policies_on_message_attributes(policy, expected):
    assert policy_matches(sub(policy), notification()) is expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"NewStateValue": ["ALARM"]}, True),
        ({"NewStateValue": ["OK"]}, False),
        ({"Trigger": {"Namespace": ["AWS/Events"], "Period": [{"numeric": ["<=", 300]}]}}, True),
        ({"Trigger": {"Namespace": [{"prefix": "Glue/"}]}}, False),
        ({"Trigger": {"Dimensions": {"value": [{"suffix": "-job-state"}]}}}, True),  # an array of objects: any one
        ({"AlarmName": [{"suffix": "-critical"}], "OldStateValue": [{"anything-but": ["INSUFFICIENT_DATA"]}]}, True),
        ({"AlarmDescription": [{"exists": False}]}, True),
    ],
)
def test_policies_on_the_message_body(policy, expected):
    assert policy_matches(sub(policy, "MessageBody"), notification()) is expected


def test_a_body_policy_never_matches_a_message_that_is_not_a_json_object():
    assert not policy_matches(sub({"x": [{"exists": False}]}, "MessageBody"), notification('"just a string"'))
    assert not policy_matches(sub({"x": ["a"]}, "MessageBody"), notification("plain text"))


def test_alarm_notifications_have_no_attributes_so_attribute_policies_do_not_match_them():
    bare = notification(attributes={})
    assert not policy_matches(sub({"severity": ["critical"]}), bare)
    assert policy_matches(sub(None), bare)


def test_bad_policies_are_input_errors():
    with pytest.raises(InputError, match="unknown operator"):
        policy_matches(sub({"severity": [{"regex": "x"}]}), notification())
    with pytest.raises(InputError, match="numeric"):
        policy_matches(sub({"attempt": [{"numeric": [">"]}]}), notification())


def test_what_each_protocol_receives():
    n = notification()
    n.subject, n.message_id = 'ALARM: "a" in US East (N. Virginia)', "id-1"
    envelope = json.loads(body_for(sub(None), n))
    assert envelope["Type"] == "Notification" and envelope["TopicArn"] == TOPIC
    assert envelope["Subject"] == n.subject and json.loads(envelope["Message"]) == BODY
    assert body_for(sub(None, raw=True), n) == n.message
    assert body_for(sub(None, protocol="email"), n) == n.message
    assert json.loads(body_for(sub(None, protocol="email-json"), n))["MessageId"] == "id-1"
    record = json.loads(body_for(sub(None, protocol="lambda"), n))["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["Sns"]["Message"] == n.message


def test_publish_delivers_to_the_matching_subscriptions_of_the_topic_only():
    other = Subscription(topic("other").arn, "sqs", "arn:aws:sqs:us-east-1:123456789012:other")
    deliveries = publish(notification(), [sub({"severity": ["critical"]}), sub({"severity": ["info"]}), other], 0)
    assert len(deliveries) == 1 and deliveries[0].subscription.filter_policy == {"severity": ["critical"]}


def test_per_endpoint_counts_with_a_body_policy_end_to_end():
    pager = Subscription(TOPIC, "https", "https://pager.example.com/hook", {"NewStateValue": ["ALARM"]}, "MessageBody")
    everything = Subscription(TOPIC, "email", "team@example.com")
    result = simulate(
        topology(metric_alarm("m", treat_missing_data="notBreaching"), subscriptions=(pager, everything)),
        duration="10m",
        series=[series("m", "20 5 5 5 5")],
        expect={
            "notifications": [
                {"endpoint": "https://pager*", "count": 1, "state": "ALARM"},
                {"endpoint": "https://pager*", "count": 1},
                {"endpoint": "team@example.com", "count": 3},
                {"topic": "alerts", "count": 3, "alarms": ["m"]},
            ]
        },
    )
    assert [(c.passed, c.description) for c in result.checks if not c.passed] == []
