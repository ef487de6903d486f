"""tests/policy.py: the alarm policy over plans and states (the function the environments' tests reuse)."""

from __future__ import annotations

import pytest
from policy import check_alarm_policy

pytestmark = pytest.mark.python
TOPIC = "arn:aws:sns:us-east-1:100000000001:p-{}"
RUNBOOK = "Runbook: https://example.com/runbook.md#x"


def metric_alarm(name, actions=None, ok=None, description=f"Critical: broke. {RUNBOOK}", unknown=None, **extra):
    after = {"alarm_name": name, "alarm_description": description, "actions_enabled": True,
             "alarm_actions": actions, "ok_actions": ok if ok is not None else actions,
             "treat_missing_data": "notBreaching", "datapoints_to_alarm": 1, **extra}
    return {"address": f'aws_cloudwatch_metric_alarm.a["{name}"]', "type": "aws_cloudwatch_metric_alarm",
            "mode": "managed", "change": {"actions": ["create"], "after": after, "after_unknown": unknown or {}}}


def test_a_compliant_alarm_passes():
    doc = {"resource_changes": [metric_alarm("x-job-failure-critical", [TOPIC.format("critical")])]}
    assert check_alarm_policy(doc) == []


def test_every_rule_is_reported():
    doc = {"resource_changes": [
        metric_alarm("x-no-severity", [TOPIC.format("critical")], description="broke"),
        metric_alarm("x-a-warning", [TOPIC.format("critical")], ok=[TOPIC.format("warning")]),
        metric_alarm("x-b-info", [TOPIC.format("info")], description="no link at the end"),
        metric_alarm("x-c-critical", [TOPIC.format("critical")], treat_missing_data=None, datapoints_to_alarm=None),
        metric_alarm("x-d-critical", [TOPIC.format("critical"), TOPIC.format("info")], actions_enabled=False),
    ]}
    text = "\n".join(check_alarm_policy(doc))
    assert 'x-no-severity"]: no severity' in text
    assert "alarm_actions has no topic of its severity warning" in text
    assert "alarm_actions also notifies topics of another severity" in text
    assert "does not end with a runbook link" in text
    assert "no explicit treat_missing_data" in text and "no datapoints_to_alarm" in text
    assert "actions are disabled" in text


def test_unknown_actions_in_a_plan_and_topics_known_from_the_document():
    doc = {"resource_changes": [
        metric_alarm("x-e-critical", None, unknown={"alarm_actions": True, "ok_actions": True}),
        {"address": "aws_sns_topic.pager", "type": "aws_sns_topic", "mode": "managed",
         "change": {"actions": ["create"], "after": {"name": "pager", "arn": "arn:aws:sns:us-east-1:1:pager",
                                                     "tags": {"Severity": "critical"}}}},
        metric_alarm("x-f-critical", ["arn:aws:sns:us-east-1:1:pager"]),
    ]}
    problems = check_alarm_policy(doc)
    assert len(problems) == 1 and "unknown at plan time" in problems[0]
    assert check_alarm_policy(doc, allow_unknown_actions=True) == []


def test_a_state_and_an_explicit_topic_map():
    state = {"values": {"root_module": {"child_modules": [{"resources": [
        {"address": "module.m.aws_cloudwatch_composite_alarm.h", "type": "aws_cloudwatch_composite_alarm",
         "mode": "managed", "values": {"alarm_name": "x-health", "actions_enabled": True,
                                       "alarm_description": f"Severity: warning. {RUNBOOK}",
                                       "alarm_actions": ["arn:aws:sns:us-east-1:1:team"],
                                       "ok_actions": ["arn:aws:sns:us-east-1:1:team"]}}]}]}}}
    assert check_alarm_policy(state, topic_severities={"arn:aws:sns:us-east-1:1:team": "warning"}) == []
    assert "no topic of its severity warning" in check_alarm_policy(state)[0]
