"""Reading alarm notifications off an SQS subscriber of a severity topic (end-to-end tests, demo)."""

from __future__ import annotations

import json
import time


def wait_for_alarm_state(env, inbox_url: str, alarm_name: str, state: str, timeout: float = 90) -> dict:
    """The first notification of `alarm_name` entering `state` that reaches the inbox."""
    sqs = env.client("sqs")
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        received = sqs.receive_message(QueueUrl=inbox_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for msg in received.get("Messages", []):
            sqs.delete_message(QueueUrl=inbox_url, ReceiptHandle=msg["ReceiptHandle"])
            body = json.loads(msg["Body"])
            alarm = json.loads(body["Message"]) if "Message" in body else body
            seen.append((alarm.get("AlarmName"), alarm.get("NewStateValue")))
            if alarm.get("AlarmName") == alarm_name and alarm.get("NewStateValue") == state:
                return alarm
    raise AssertionError(f"no {state} notification for {alarm_name} within {timeout:.0f} s; saw {seen}")
