"""End to end on the emulator: failed records in the dead-letter queue raise the critical depth alarm, whose
notification reaches an SQS subscriber of the critical topic; emptying the queue sends OK.

What is real here: LocalStack publishes the AWS/SQS queue metrics (every 5 s in the harness), evaluates the
alarm (10 s period) and delivers the alarm's SNS notification to the subscriber. Not proven here: the
age-of-oldest-message alarm, because LocalStack does not publish ApproximateAgeOfOldestMessage.
The path runs in the background on prod (applied alone in its own account) as soon as prod is applied
(tests/e2e/scenarios.py: dlq_alert); this checks what it recorded.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_dlq_depth_pages_the_critical_topic_then_recovers(dlq_alert):
    alarm = dlq_alert["alarm"]
    assert alarm["AlarmName"] == dlq_alert["alarm_name"] and alarm["NewStateValue"] == "ALARM"
    assert alarm["Trigger"]["Threshold"] == dlq_alert["threshold"]
    assert "runbook" in alarm["AlarmDescription"].lower(), alarm["AlarmDescription"]
    assert dlq_alert["ok"]["NewStateValue"] == "OK" and dlq_alert["ok"]["AlarmName"] == dlq_alert["alarm_name"]
