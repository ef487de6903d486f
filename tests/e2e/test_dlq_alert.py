"""End to end on the emulator: failed records in the dead-letter queue raise the critical depth alarm,
whose notification reaches an SQS subscriber of the critical topic; emptying the queue sends OK.

What is real here: LocalStack publishes the AWS/SQS queue metrics (every 5 s in the harness), evaluates
the alarm (10 s period) and delivers the alarm's SNS notification to the subscriber. Not proven here: the
age-of-oldest-message alarm, because LocalStack does not publish ApproximateAgeOfOldestMessage.
"""

from __future__ import annotations

import json

import pytest
from alerts import wait_for_alarm_state

pytestmark = pytest.mark.e2e


# prod: applied alone in its own account, so this wait overlaps the README sequence's dev and staging
@pytest.mark.parametrize("environment", ["prod"], indirect=True)
def test_dlq_depth_pages_the_critical_topic_then_recovers(environment, inbox):
    env = environment
    dlq = env.outputs["dlq"]
    critical_inbox = inbox(env, "critical")
    sqs = env.client("sqs")
    alarm_name = f"{dlq['dlq_name']}-depth-critical"
    depth = int(env.client("cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]["Threshold"])
    for start in range(0, depth, 10):
        sqs.send_message_batch(QueueUrl=dlq["dlq_url"], Entries=[
            {"Id": str(i), "MessageBody": json.dumps({"record": i, "reason": "e2e"})}
            for i in range(start, min(start + 10, depth))])

    alarm = wait_for_alarm_state(env, critical_inbox, alarm_name, "ALARM")
    assert "runbook" in alarm["AlarmDescription"].lower(), alarm["AlarmDescription"]

    sqs.purge_queue(QueueUrl=dlq["dlq_url"])
    wait_for_alarm_state(env, critical_inbox, alarm_name, "OK")
