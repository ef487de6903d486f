"""modules/dead_letter_queue, applied (examples/complete in the examples bundle) and read back with boto3.

What the emulator proves: the queues, their redrive and redrive-allow policies, the TLS-only queue
policies, and the alarms (names, metric, dimension, thresholds, actions, descriptions) are stored as
planned; a message that fails max_receive_count receives moves to the dead-letter queue. The alarm firing
and its notification are proven end to end on the dev environment (tests/e2e/test_dlq_alert.py).
LocalStack does not enforce queue policies: they are checked as documents.
"""

from __future__ import annotations

import json
import time

import pytest

MODULE = "dead_letter_queue"
RUNBOOK = "https://github.com/glue-etl-monitoring/glue-etl-monitoring/blob/main/docs/runbooks/dead-letter-queue.md"
EXPECTED_ALARMS = {  # key -> (metric, threshold)
    "depth-info": ("ApproximateNumberOfMessagesVisible", 1),
    "depth-warning": ("ApproximateNumberOfMessagesVisible", 10),
    "depth-critical": ("ApproximateNumberOfMessagesVisible", 100),
    "age-warning": ("ApproximateAgeOfOldestMessage", 3600),
    "age-critical": ("ApproximateAgeOfOldestMessage", 86400),
}


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example(MODULE)


def _attributes(sqs, url: str) -> dict:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def _tls_deny(policy: dict, arn: str) -> dict:
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Principal"] in ("*", {"AWS": "*"})
    assert deny["Resource"] == arn
    assert {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(deny["Action"])
    return deny


def test_dlq_keeps_messages_14_days_encrypted_and_only_for_its_sources(applied_examples, out):
    sqs = applied_examples.client("sqs")
    attrs = _attributes(sqs, out["dlq_url"])
    assert out["dlq_name"] == "ex-dlq-complete-records-dlq"
    assert attrs["QueueArn"] == out["dlq_arn"]
    assert attrs["MessageRetentionPeriod"] == "1209600"
    assert attrs["KmsMasterKeyId"] == out["kms_key_arn"]  # the module's own customer-managed key
    assert json.loads(attrs["RedriveAllowPolicy"]) == {"redrivePermission": "byQueue",
                                                        "sourceQueueArns": [out["source_queue_arn"]]}


def test_dlq_policy_admits_the_event_rule_and_denies_without_tls(applied_examples, out):
    sqs = applied_examples.client("sqs")
    policy = json.loads(_attributes(sqs, out["dlq_url"])["Policy"])
    _tls_deny(policy, out["dlq_arn"])
    (allow,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage" and allow["Resource"] == out["dlq_arn"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": out["event_rule_arn"]}}
    for stmt in policy["Statement"]:
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        assert all(a != "*" and not a.endswith(":*") for a in actions)


def test_source_queue_redrives_to_the_dlq(applied_examples, out):
    sqs = applied_examples.client("sqs")
    attrs = _attributes(sqs, out["source_queue_url"])
    assert out["source_queue_name"] == "ex-dlq-complete-records"
    assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": out["dlq_arn"], "maxReceiveCount": 3}
    assert attrs["VisibilityTimeout"] == "300"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["KmsMasterKeyId"] == out["kms_key_arn"]
    _tls_deny(json.loads(attrs["Policy"]), out["source_queue_arn"])


def test_the_event_target_dead_letters_into_the_dlq(applied_examples, out):
    events = applied_examples.client("events")
    (target,) = events.list_targets_by_rule(Rule="ex-dlq-complete-glue-failed")["Targets"]
    assert target["DeadLetterConfig"]["Arn"] == out["dlq_arn"]
    assert target["Arn"] == out["topic_arns"]["critical"]


def test_alarms_per_severity_notify_the_topic_of_their_severity(applied_examples, out):
    cloudwatch = applied_examples.client("cloudwatch")
    alarms = {a["AlarmName"]: a for a in
              cloudwatch.describe_alarms(AlarmNamePrefix=out["dlq_name"])["MetricAlarms"]}
    assert set(out["alarm_arns"]) == set(EXPECTED_ALARMS)
    assert set(alarms) == {f"{out['dlq_name']}-{k}" for k in EXPECTED_ALARMS}
    for key, (metric, threshold) in EXPECTED_ALARMS.items():
        kind, severity = key.split("-")
        alarm = alarms[f"{out['dlq_name']}-{key}"]
        assert alarm["AlarmArn"] == out["alarm_arns"][key]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/SQS", metric, "Maximum")
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": out["dlq_name"]}]
        assert alarm["Threshold"] == threshold
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (10, 1, 1)
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["ActionsEnabled"] is True
        topic = out["topic_arns"][severity]
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], key
        assert alarm["AlarmDescription"].startswith(f"{severity.title()}: ")
        assert alarm["AlarmDescription"].endswith(f"Runbook: {RUNBOOK}#{key.split('-')[0]}")
        # how the remediation Lambda recognises a DLQ depth alarm (lambda_src/common/alarms.py)
        assert ("dlq" in alarm["AlarmName"] and "depth" in alarm["AlarmName"]) == (kind == "depth")


def test_a_message_failing_max_receive_count_moves_to_the_dlq(applied_examples, out):
    sqs = applied_examples.client("sqs")
    body = json.dumps({"record": 1, "marker": time.time_ns()})
    sqs.send_message(QueueUrl=out["source_queue_url"], MessageBody=body)
    receives = 0
    for _ in range(8):  # maxReceiveCount = 3: the 4th receive finds it moved
        msgs = sqs.receive_message(QueueUrl=out["source_queue_url"], WaitTimeSeconds=1).get("Messages", [])
        if not msgs:
            break
        receives += 1
        sqs.change_message_visibility(QueueUrl=out["source_queue_url"], ReceiptHandle=msgs[0]["ReceiptHandle"],
                                      VisibilityTimeout=0)
    assert receives == 3
    moved = sqs.receive_message(QueueUrl=out["dlq_url"], WaitTimeSeconds=2, MaxNumberOfMessages=10)
    bodies = [m["Body"] for m in moved.get("Messages", [])]
    assert body in bodies
    for m in moved.get("Messages", []):
        sqs.delete_message(QueueUrl=out["dlq_url"], ReceiptHandle=m["ReceiptHandle"])


@pytest.mark.plan
def test_create_false_creates_nothing(examples_plan):
    outputs = examples_plan.output_values["dead_letter_queue__disabled"]["all"]
    assert outputs["dlq_arn"] is None and outputs["source_queue_url"] is None
    assert outputs["alarm_arns"] == {}
