"""EventBridge ("Amazon EventBridge event patterns", "Amazon EventBridge input transformation"): pattern matching,
the TriggeredRules metric the job-failure alarms watch, and what a rule's SNS target publishes - with the rule, the
target and the alarm of the prod plan (fixtures/prod_plan.json)."""

from __future__ import annotations

import json

import pytest
from alarm_eval_support import FIXTURES

from alarm_eval import load_topology
from alarm_eval.engine import run
from alarm_eval.eventbridge import json_path, normalize, render
from alarm_eval.model import EventRule, InputTransformer
from alarm_eval.patterns import matches
from alarm_eval.scenario import from_dict, glue_state_change

pytestmark = pytest.mark.python

EVENT = normalize(
    {
        "source": "aws.glue",
        "detail-type": "Glue Job State Change",
        "detail": {
            "jobName": "customer_import",
            "state": "FAILED",
            "jobRunId": "jr_1",
            "severity": "ERROR",
            "message": 'Command failed: "disk full"\nexit 1',
            "attempt": 2,
            "tags": ["nightly", "pii"],
            "notes": None,
        },
    },
    1767225600,
    "123456789012",
    "us-east-1",
    0,
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["aws.glue"], "detail-type": ["Glue Job State Change"]}, True),
        ({"source": ["aws.s3"]}, False),
        ({"detail": {"state": ["FAILED", "TIMEOUT"], "jobName": ["customer_import"]}}, True),
        ({"detail": {"state": ["SUCCEEDED"]}}, False),
        ({"detail": {"jobName": ["other_job"]}}, False),
        ({"detail": {"jobName": [{"prefix": "customer"}]}}, True),
        ({"detail": {"jobName": [{"suffix": "_export"}]}}, False),
        ({"detail": {"state": [{"anything-but": ["SUCCEEDED", "RUNNING"]}]}}, True),
        ({"detail": {"state": [{"anything-but": {"prefix": "FAIL"}}]}}, False),
        ({"detail": {"attempt": [{"numeric": [">", 1, "<=", 3]}]}}, True),
        ({"detail": {"attempt": [{"numeric": [">", 2]}]}}, False),
        ({"detail": {"jobRunId": [{"exists": True}]}}, True),
        ({"detail": {"errorCode": [{"exists": True}]}}, False),
        ({"detail": {"errorCode": [{"exists": False}]}}, True),
        ({"detail": {"tags": ["pii"]}}, True),
        ({"detail": {"notes": [None]}}, True),
        ({"detail": {"message": [{"wildcard": "Command failed*exit 1"}]}}, True),
        ({"detail": {"state": [{"equals-ignore-case": "failed"}]}}, True),
        ({"detail": {"missing": {"deeper": [{"exists": False}]}}}, True),
        ({"account": ["123456789012"], "region": [{"prefix": "us-"}]}, True),
        ({"$or": [{"detail": {"state": ["TIMEOUT"]}}, {"detail": {"severity": ["ERROR"]}}]}, True),
    ],
)
def test_event_patterns(pattern, expected):
    assert matches(pattern, EVENT) is expected


def test_json_paths_of_input_transformers():
    assert json_path(EVENT, "$.detail.jobName") == "customer_import"
    assert json_path(EVENT, "$.detail.tags[1]") == "pii"
    assert json_path(EVENT, "$.region") == "us-east-1"


def test_the_modules_input_template_renders_a_json_string_with_escaped_values():
    rule = EventRule("r", "arn:aws:events:us-east-1:123456789012:rule/r", None)
    template = '"CRITICAL: Glue job <job> ended in state <state> at <time>. Glue says: <message> -- <rule>"'
    transformer = InputTransformer(
        {
            "job": "$.detail.jobName",
            "state": "$.detail.state",
            "time": "$.time",
            "message": "$.detail.message",
            "rule": "$.no.such.path",
        },
        template,
    )
    rendered = render(transformer, EVENT, rule, 0)
    assert json.loads(rendered) == (
        "CRITICAL: Glue job customer_import ended in state FAILED at 2026-01-01T00:00:00Z."
        ' Glue says: Command failed: "disk full"\nexit 1 -- '
    )


def test_object_and_text_templates_and_predefined_variables():
    rule = EventRule("r", "arn:aws:events:us-east-1:123456789012:rule/r", None)
    as_object = InputTransformer(
        {"job": "$.detail.jobName", "n": "$.detail.attempt"},
        '{"job": <job>, "text": "<job> try <n>", "n": <n>, "rule": "<aws.events.rule-name>"}',
    )
    assert json.loads(render(as_object, EVENT, rule, 0)) == {
        "job": "customer_import",
        "text": "customer_import try 2",
        "n": 2,
        "rule": "r",
    }
    as_text = InputTransformer({"job": "$.detail.jobName"}, "job <job> failed")
    assert render(as_text, EVENT, rule, 0) == "job customer_import failed"


JOB = "glue-etl-prod-customer_import"  # the Glue job prod deploys (<name_prefix>-<key>)


def test_a_glue_failure_counts_in_triggered_rules_fires_the_alarm_and_notifies_through_the_rule_target():
    topo = load_topology(FIXTURES / "prod_plan.json")
    scenario = from_dict(
        {
            "name": "failure",
            "start": "2026-01-01T00:00:00Z",
            "duration": "40m",
            "alarms": ["*-job-failure-critical"],
            "events": [
                {"at": "10m", "glue_job_state": {"job": JOB, "state": "SUCCEEDED"}},
                {"at": "11m", "glue_job_state": {"job": "another_job", "state": "FAILED"}},
                {"at": "12m", "glue_job_state": {"job": JOB, "state": "TIMEOUT", "message": "timed out"}},
            ],
        }
    )
    result = run(topo, scenario)
    rule_messages = [n for n in result.notifications if n.source == "eventbridge" and "-job-state" in n.origin]
    assert len(rule_messages) == 1 and rule_messages[0].origin == "glue-etl-prod-customer_import-job-state"
    text = json.loads(rule_messages[0].message)
    assert text.startswith(f"CRITICAL: Glue job {JOB} ended in state TIMEOUT at 2026-01-01T00:12:00Z")
    assert "Glue says: timed out" in text
    name = "glue-etl-prod-customer_import-job-failure-critical"
    # period 300 s: the datapoint at +12m is in the newest period from +13m, and the most recent one until +27m
    assert [(round((t.time - result.start) / 60), t.new) for t in result.transitions_of(name)] == [
        (0, "OK"),
        (13, "ALARM"),
        (28, "OK"),
    ]
    alarm_note = [n for n in result.notifications if n.origin == name and n.state == "ALARM"][0]
    assert alarm_note.topic_arn == rule_messages[0].topic_arn  # both on the critical topic
    assert json.loads(alarm_note.message)["Trigger"]["Dimensions"] == [
        {"value": "glue-etl-prod-customer_import-job-state", "name": "RuleName"}
    ]


def test_glue_state_change_sugar_has_the_fields_glue_sends():
    event = glue_state_change({"job": "j", "state": "FAILED"})
    assert event["detail"]["jobName"] == "j" and event["detail"]["severity"] == "ERROR"
    assert event["source"] == "aws.glue" and event["detail-type"] == "Glue Job State Change"
