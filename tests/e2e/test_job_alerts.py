"""Job alerts end to end on the emulator: Glue events and metric data in, severity-routed notifications out.

A small root of its own (applied once for this file, destroyed at the end): the notifications module's
severity topics, one SQS inbox subscribed to each, and modules/job_monitoring watching one job with 10-second
alarm periods. Then:

1. a "Glue Job State Change" FAILED event, sent with PutEvents, reaches the critical inbox as a readable
   sentence (and a SUCCEEDED event, or a FAILED event of another job, does not: the pattern is honoured);
   the job-failure alarm fires to the critical topic. LocalStack does not publish the AWS/Events
   TriggeredRules metric of a rule (real EventBridge does, once a minute): the test checks that, and proves
   the alarm -> topic path by putting the datapoint EventBridge would have published.
2. DataAgeHours above 25 fires data-freshness-critical to the critical inbox only, and a ValidationPassRate
   of 80 % (20 % failing > 10 %) fires validation-failure-rate-warning to the warning inbox only.
3. recovery: fresh data and a clean validation send OK to the same topics; the failure alarm returns to OK
   once no failure is counted.

What the emulator cannot show here (and the plan tests cover instead): anomaly-band alarms (duration without a
baseline, volume), metric-math alarms (API error rate, SLO burn-rate windows) and AND composites (the SLO
burn-rate alerts) are created but not evaluated by LocalStack; percentile statistics (p95 latency) neither.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from e2e.job_alerts_root import GLUE_JOB, JOB_KEY, PREFIX

pytestmark = pytest.mark.e2e

def alarm_name(signal: str, severity: str) -> str:
    return f"{PREFIX}-{JOB_KEY}-{signal}-{severity}"


class Inbox:
    """The notifications an SQS subscriber of one severity topic received (kept: reading deletes them)."""

    def __init__(self, sqs, url: str, severity: str):
        self.sqs, self.url, self.severity = sqs, url, severity
        self.messages: list[dict] = []  # {"subject", "text", "alarm" (dict or None), "received"}

    def poll(self, wait: int = 1) -> None:
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for msg in got.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=msg["ReceiptHandle"])
            envelope = json.loads(msg["Body"])
            text = envelope.get("Message", msg["Body"])
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            alarm = decoded if isinstance(decoded, dict) and "AlarmName" in decoded else None
            if isinstance(decoded, str):  # the failure rule's input transformer sends a JSON string
                text = decoded
            self.messages.append({"subject": envelope.get("Subject"), "text": text, "alarm": alarm,
                                  "received": time.time()})

    def alarm_states(self, name: str, since: float = 0) -> list[dict]:
        return [m["alarm"] for m in self.messages if m["alarm"] and m["alarm"]["AlarmName"] == name
                and m["received"] >= since]

    def texts(self, since: float = 0) -> list[str]:
        return [m["text"] for m in self.messages if m["alarm"] is None and m["received"] >= since]


class Scenario:
    def __init__(self, applied):
        self.root, self.outputs = applied.root, applied.outputs
        self.cw = applied.client("cloudwatch")
        self.events = applied.client("events")
        sqs = applied.client("sqs")
        self.inboxes = {s: Inbox(sqs, url, s) for s, url in self.outputs["inbox_urls"].items()}
        self.namespace = "Glue/ETL/e2e"

    def poll_all(self) -> None:
        for inbox in self.inboxes.values():
            inbox.poll(wait=0)

    def wait_until(self, what: str, check, feed=None, timeout: float = 90.0):
        """Poll the inboxes (and keep feeding metric data) until check() returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if feed:
                feed()
            self.poll_all()
            result = check()
            if result:
                return result
            time.sleep(2)
        seen = {s: [(m["alarm"]["AlarmName"], m["alarm"]["NewStateValue"]) if m["alarm"] else m["text"][:80]
                    for m in i.messages] for s, i in self.inboxes.items()}
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; inboxes saw {seen}")

    def put(self, metric: str, value: float, namespace: str | None = None, dimensions: list | None = None) -> None:
        self.cw.put_metric_data(Namespace=namespace or self.namespace, MetricData=[{
            "MetricName": metric, "Value": value, "Timestamp": datetime.now(UTC),
            "Dimensions": dimensions or [{"Name": "JobName", "Value": GLUE_JOB},
                                         {"Name": "Environment", "Value": "e2e"}],
        }])

    def state(self, name: str) -> str:
        return self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]

    def glue_event(self, job: str, state: str, run_id: str, message: str) -> None:
        detail = {"jobName": job, "severity": "ERROR" if state != "SUCCEEDED" else "INFO", "state": state,
                  "jobRunId": run_id, "message": message}
        resp = self.events.put_events(Entries=[{"Source": "aws.glue", "DetailType": "Glue Job State Change",
                                                "Detail": json.dumps(detail)}])
        assert resp["FailedEntryCount"] == 0, resp


@pytest.fixture(scope="module")
def scenario(job_alerts):
    return Scenario(job_alerts)


def test_failure_event_reaches_the_critical_subscriber_and_the_failure_alarm_fires(scenario):
    start = time.time()
    rule = scenario.outputs["event_rule_names"][JOB_KEY]
    scenario.glue_event(GLUE_JOB, "SUCCEEDED", "jr_e2e_ok", "")  # not a failure state: no notification
    scenario.glue_event("some-other-job", "FAILED", "jr_e2e_other", "not ours")  # another job: none either
    scenario.glue_event(GLUE_JOB, "FAILED", "jr_e2e_1", "Command failed with exit code 1")

    texts = scenario.wait_until("the failure sentence on the critical inbox",
                                lambda: [t for t in scenario.inboxes["critical"].texts(start) if "jr_e2e_1" in t])
    text = texts[0]
    assert text.startswith(f"CRITICAL: Glue job {GLUE_JOB} ended in state FAILED at "), text
    assert "Command failed with exit code 1" in text and text.endswith("#job-failure"), text
    time.sleep(3)
    scenario.poll_all()
    for inbox in scenario.inboxes.values():
        stray = [t for t in inbox.texts(start) if "jr_e2e_ok" in t or "jr_e2e_other" in t]
        assert not stray, f"the rule's pattern let through {stray} ({inbox.severity})"
    assert not scenario.inboxes["warning"].texts(start) and not scenario.inboxes["info"].texts(start)

    # LocalStack does not publish AWS/Events TriggeredRules for a matched rule (EventBridge does, per minute).
    published = scenario.cw.get_metric_statistics(
        Namespace="AWS/Events", MetricName="TriggeredRules", Dimensions=[{"Name": "RuleName", "Value": rule}],
        StartTime=datetime.fromtimestamp(start - 60, UTC), EndTime=datetime.now(UTC), Period=60,
        Statistics=["Sum"])["Datapoints"]
    if not published:  # the emulator gap: put the datapoint EventBridge would have published
        scenario.put("TriggeredRules", 1, namespace="AWS/Events", dimensions=[{"Name": "RuleName", "Value": rule}])

    name = alarm_name("job-failure", "critical")
    fired = scenario.wait_until(f"{name} ALARM on the critical inbox", lambda: [
        a for a in scenario.inboxes["critical"].alarm_states(name, start) if a["NewStateValue"] == "ALARM"])
    assert fired[0]["AlarmActions"] == [scenario.outputs["topic_arns"]["critical"]]
    assert fired[0]["AlarmDescription"].endswith("#job-failure")
    assert not scenario.inboxes["warning"].alarm_states(name) and not scenario.inboxes["info"].alarm_states(name)


def test_breaching_freshness_and_validation_fire_to_their_severities(scenario):
    fresh, validation = alarm_name("data-freshness", "critical"), alarm_name("validation-failure-rate", "warning")
    # Freshness treats missing data as stale, so a new alarm starts in ALARM: first bring it to OK with fresh data.
    scenario.wait_until(f"{fresh} OK with fresh data", lambda: scenario.state(fresh) == "OK",
                        feed=lambda: scenario.put("DataAgeHours", 1), timeout=120)

    start = time.time()

    def feed():
        scenario.put("DataAgeHours", 30)  # 30 h old data > 25 h
        scenario.put("ValidationPassRate", 80)  # 20 % of the records failing > 10 %

    stale = scenario.wait_until(f"{fresh} ALARM on the critical inbox", lambda: [
        a for a in scenario.inboxes["critical"].alarm_states(fresh, start) if a["NewStateValue"] == "ALARM"], feed)
    assert "no datapoints" not in stale[0]["NewStateReason"], "fired by missing data, not by the stale datapoint"
    assert stale[0]["Trigger"]["Threshold"] == 25.0 and stale[0]["Trigger"]["MetricName"] == "DataAgeHours"

    failing = scenario.wait_until(f"{validation} ALARM on the warning inbox", lambda: [
        a for a in scenario.inboxes["warning"].alarm_states(validation, start) if a["NewStateValue"] == "ALARM"], feed)
    assert failing[0]["Trigger"]["Threshold"] == 90.0  # ValidationPassRate < 100 - 10
    assert failing[0]["AlarmActions"] == [scenario.outputs["topic_arns"]["warning"]]

    scenario.poll_all()
    assert not scenario.inboxes["warning"].alarm_states(fresh), "a critical alarm reached the warning topic"
    assert not scenario.inboxes["critical"].alarm_states(validation), "a warning alarm reached the critical topic"
    assert not scenario.inboxes["info"].alarm_states(fresh) and not scenario.inboxes["info"].alarm_states(validation)


def test_recovery_sends_ok_to_the_same_topics(scenario):
    fresh, validation = alarm_name("data-freshness", "critical"), alarm_name("validation-failure-rate", "warning")
    failure = alarm_name("job-failure", "critical")
    if scenario.state(validation) != "ALARM":  # run alone: breach first
        scenario.wait_until(f"{validation} in ALARM", lambda: scenario.state(validation) == "ALARM",
                            feed=lambda: scenario.put("ValidationPassRate", 80))
    start = time.time()

    def feed():
        scenario.put("DataAgeHours", 2)
        scenario.put("ValidationPassRate", 100)

    scenario.wait_until(f"{fresh} OK on the critical inbox", lambda: [
        a for a in scenario.inboxes["critical"].alarm_states(fresh, start) if a["NewStateValue"] == "OK"], feed,
        timeout=120)
    ok = scenario.wait_until(f"{validation} OK on the warning inbox", lambda: [
        a for a in scenario.inboxes["warning"].alarm_states(validation, start) if a["NewStateValue"] == "OK"], feed,
        timeout=120)
    assert ok[0]["OKActions"] == [scenario.outputs["topic_arns"]["warning"]]
    # no failure counted for a while: the failure alarm (missing data = not breaching) is OK again
    scenario.wait_until(f"{failure} OK", lambda: scenario.state(failure) == "OK", timeout=120)
