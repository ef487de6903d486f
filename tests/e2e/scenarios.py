"""The slow end-to-end paths, run in the background as soon as their root is ready (tests/conftest.py), so their
waits for the emulator overlap the rest of the run. Each returns a record; the tests assert on it.

- `dlq_alert`: failed records in prod's dead-letter queue raise the critical depth alarm, whose notification
  reaches an SQS subscriber of the critical topic; emptying the queue sends OK. LocalStack publishes the
  AWS/SQS metrics (every 5 s in the harness), evaluates the alarm and delivers the notification. Not proven
  here: the age-of-oldest-message alarm (LocalStack does not publish ApproximateAgeOfOldestMessage).
- `job_alerts`: Glue events and metric data in, severity-routed notifications out, on the example
  modules/job_monitoring/examples/alerts of the examples bundle (tests/e2e/test_job_alerts.py says what each
  step proves and what the emulator cannot show).
- `localstack_transitions`: alarms and datapoints given to LocalStack, and the state changes it went through
  (the differential check of tests/alarm_eval/test_localstack_differential.py).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime


class Inbox:
    """The notifications an SQS queue subscribed to a topic received (kept: reading deletes them)."""

    def __init__(self, sqs, url: str, severity: str):
        self.sqs, self.url, self.severity = sqs, url, severity
        self.messages: list[dict] = []  # {"subject", "text", "alarm" (dict or None), "received"}

    @classmethod
    def subscribed(cls, applied, severity: str, name: str) -> tuple[Inbox, str]:
        """A new queue subscribed to the environment's topic of `severity`; returns it and the subscription."""
        sqs, sns = applied.client("sqs"), applied.client("sns")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=applied.outputs["topic_arns"][severity], Protocol="sqs", Endpoint=arn,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        return cls(sqs, url, severity), sub

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
            if isinstance(decoded, str):  # an input transformer sends a JSON string
                text = decoded
            self.messages.append({"subject": envelope.get("Subject"), "text": text, "alarm": alarm,
                                  "received": time.time()})

    def alarm_states(self, name: str, since: float = 0) -> list[dict]:
        return [m["alarm"] for m in self.messages if m["alarm"] and m["alarm"]["AlarmName"] == name
                and m["received"] >= since]

    def texts(self, since: float = 0) -> list[str]:
        return [m["text"] for m in self.messages if m["alarm"] is None and m["received"] >= since]

    def seen(self) -> list:
        return [(m["alarm"]["AlarmName"], m["alarm"]["NewStateValue"]) if m["alarm"] else m["text"][:80]
                for m in self.messages]


def wait_until(what: str, check, poll, feed=None, timeout: float = 120.0, seen=None):
    """Poll (and keep feeding metric data) until check() returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if feed:
            feed()
        poll()
        result = check()
        if result:
            return result
        time.sleep(2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; saw {seen() if seen else '?'}")


# -- the dead-letter queue's depth alarm ------------------------------------------------------------------

def dlq_alert(applied) -> dict:
    dlq = applied.outputs["dlq"]
    alarm_name = f"{dlq['dlq_name']}-depth-critical"
    sqs = applied.client("sqs")
    inbox, sub = Inbox.subscribed(applied, "critical", f"e2e-dlq-critical-inbox-{uuid.uuid4().hex[:6]}")
    record: dict = {"alarm_name": alarm_name}
    try:
        depth = int(applied.client("cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
                    ["Threshold"])
        record["threshold"] = depth
        for start in range(0, depth, 10):
            sqs.send_message_batch(QueueUrl=dlq["dlq_url"], Entries=[
                {"Id": str(i), "MessageBody": json.dumps({"record": i, "reason": "e2e"})}
                for i in range(start, min(start + 10, depth))])
        record["alarm"] = _first_state(inbox, alarm_name, "ALARM")
        sqs.purge_queue(QueueUrl=dlq["dlq_url"])
        record["ok"] = _first_state(inbox, alarm_name, "OK")
    finally:
        applied.client("sns").unsubscribe(SubscriptionArn=sub)
        sqs.delete_queue(QueueUrl=inbox.url)
    return record


def _first_state(inbox: Inbox, name: str, state: str) -> dict:
    found = wait_until(f"{name} {state} on the {inbox.severity} inbox",
                       lambda: [a for a in inbox.alarm_states(name) if a["NewStateValue"] == state],
                       lambda: inbox.poll(wait=2), seen=inbox.seen)
    return found[0]


# -- job alerts -------------------------------------------------------------------------------------------


@dataclass
class JobAlerts:
    """What the job-alerts root's inboxes received in each step; a step that failed keeps its error."""

    topic_arns: dict
    glue_job_name: str = ""
    failure: dict = field(default_factory=dict)
    breach: dict = field(default_factory=dict)
    recovery: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # step -> the error that stopped it

    def step(self, name: str) -> dict:
        if name in self.errors:
            raise AssertionError(f"the {name} step did not complete: {self.errors[name]}")
        return getattr(self, name)


class _JobAlertsRun:
    def __init__(self, applied, outputs: dict):
        self.outputs = outputs
        self.job = outputs["job"]
        self.cw, self.events, sqs = applied.client("cloudwatch"), applied.client("events"), applied.client("sqs")
        self.inboxes = {s: Inbox(sqs, url, s) for s, url in self.outputs["inbox_urls"].items()}

    def alarm_name(self, signal: str, severity: str) -> str:
        return self.outputs["alarms"][f"{self.job['key']}/{signal}-{severity}"]["name"]

    def poll_all(self) -> None:
        for inbox in self.inboxes.values():
            inbox.poll(wait=0)

    def wait(self, what: str, check, feed=None, timeout: float = 120.0):
        return wait_until(what, check, self.poll_all, feed, timeout,
                          seen=lambda: {s: i.seen() for s, i in self.inboxes.items()})

    def put(self, metric: str, value: float, namespace: str | None = None, dimensions: list | None = None) -> None:
        self.cw.put_metric_data(Namespace=namespace or self.job["namespace"], MetricData=[{
            "MetricName": metric, "Value": value, "Timestamp": datetime.now(UTC),
            "Dimensions": dimensions or [{"Name": "JobName", "Value": self.job["glue_job_name"]},
                                         {"Name": "Environment", "Value": self.job["environment"]}],
        }])

    def state(self, name: str) -> str:
        return self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]

    def glue_event(self, job: str, state: str, run_id: str, message: str) -> None:
        detail = {"jobName": job, "severity": "ERROR" if state != "SUCCEEDED" else "INFO", "state": state,
                  "jobRunId": run_id, "message": message}
        resp = self.events.put_events(Entries=[{"Source": "aws.glue", "DetailType": "Glue Job State Change",
                                                "Detail": json.dumps(detail)}])
        assert resp["FailedEntryCount"] == 0, resp

    # 1. a FAILED event: a sentence on the critical inbox, the pattern honoured, the failure alarm fires
    def failure(self) -> dict:
        start = time.time()
        rule = self.outputs["event_rule_names"][self.job["key"]]
        glue_job = self.job["glue_job_name"]
        self.glue_event(glue_job, "SUCCEEDED", "jr_e2e_ok", "")  # not a failure state: no notification
        self.glue_event("some-other-job", "FAILED", "jr_e2e_other", "not ours")  # another job: none either
        self.glue_event(glue_job, "FAILED", "jr_e2e_1", "Command failed with exit code 1")
        texts = self.wait("the failure sentence on the critical inbox",
                          lambda: [t for t in self.inboxes["critical"].texts(start) if "jr_e2e_1" in t])
        time.sleep(3)
        self.poll_all()
        stray = {s: [t for t in i.texts(start) if "jr_e2e_ok" in t or "jr_e2e_other" in t]
                 for s, i in self.inboxes.items()}
        other_texts = {s: self.inboxes[s].texts(start) for s in ("warning", "info")}
        # LocalStack does not publish AWS/Events TriggeredRules for a matched rule (EventBridge does, per minute)
        published = self.cw.get_metric_statistics(
            Namespace="AWS/Events", MetricName="TriggeredRules", Dimensions=[{"Name": "RuleName", "Value": rule}],
            StartTime=datetime.fromtimestamp(start - 60, UTC), EndTime=datetime.now(UTC), Period=60,
            Statistics=["Sum"])["Datapoints"]
        feed = None
        if not published:  # the emulator gap: put the datapoint EventBridge would have published, in each
            # period until the alarm is evaluated (a busy LocalStack may evaluate later than the period it fell in)
            def feed():
                self.put("TriggeredRules", 1, namespace="AWS/Events",
                         dimensions=[{"Name": "RuleName", "Value": rule}])
        # the alarm has no actions (the sentence above is the page): it goes to ALARM for the roll-ups, silently
        name = self.alarm_name("job-failure", "critical")
        self.wait(f"{name} in ALARM", lambda: self.state(name) == "ALARM", feed)
        fired = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        time.sleep(3)
        self.poll_all()
        return {"text": texts[0], "stray": stray, "other_texts": other_texts, "fired": fired,
                "elsewhere": {s: self.inboxes[s].alarm_states(name) for s in ("critical", "warning", "info")}}

    # 2. stale data pages critical only; 20 % failing validation warns only
    def breach(self) -> dict:
        fresh = self.alarm_name("data-freshness", "critical")
        validation = self.alarm_name("validation-failure-rate", "warning")
        # a new freshness alarm waits in INSUFFICIENT_DATA (missing data is missing, nothing pages after an apply):
        # a first fresh datapoint brings it to OK
        self.wait(f"{fresh} OK with fresh data", lambda: self.state(fresh) == "OK",
                  feed=lambda: self.put("DataAgeHours", 1))
        start = time.time()

        def feed():
            self.put("DataAgeHours", 30)  # 30 h old data > 25 h
            self.put("ValidationPassRate", 80)  # 20 % of the records failing > 10 %

        stale = self.wait(f"{fresh} ALARM on the critical inbox", lambda: [
            a for a in self.inboxes["critical"].alarm_states(fresh, start) if a["NewStateValue"] == "ALARM"], feed)
        failing = self.wait(f"{validation} ALARM on the warning inbox", lambda: [
            a for a in self.inboxes["warning"].alarm_states(validation, start) if a["NewStateValue"] == "ALARM"], feed)
        self.poll_all()
        return {"stale": stale[0], "failing": failing[0], "crossed": {
            "fresh on warning": self.inboxes["warning"].alarm_states(fresh),
            "validation on critical": self.inboxes["critical"].alarm_states(validation),
            "fresh on info": self.inboxes["info"].alarm_states(fresh),
            "validation on info": self.inboxes["info"].alarm_states(validation)}}

    # 3. recovery: OK to the same topics; the failure alarm is OK again once no failure is counted
    def recovery(self) -> dict:
        fresh = self.alarm_name("data-freshness", "critical")
        validation = self.alarm_name("validation-failure-rate", "warning")
        failure = self.alarm_name("job-failure", "critical")
        start = time.time()

        def feed():
            self.put("DataAgeHours", 2)
            self.put("ValidationPassRate", 100)

        fresh_ok = self.wait(f"{fresh} OK on the critical inbox", lambda: [
            a for a in self.inboxes["critical"].alarm_states(fresh, start) if a["NewStateValue"] == "OK"], feed)
        validation_ok = self.wait(f"{validation} OK on the warning inbox", lambda: [
            a for a in self.inboxes["warning"].alarm_states(validation, start) if a["NewStateValue"] == "OK"], feed)
        self.wait(f"{failure} OK", lambda: self.state(failure) == "OK")
        return {"fresh_ok": fresh_ok[0], "validation_ok": validation_ok[0], "failure_state": self.state(failure)}


def job_alerts(applied) -> JobAlerts:
    """On the applied examples bundle: modules/job_monitoring/examples/alerts."""
    outputs = applied.example("job_monitoring", "alerts")
    run = _JobAlertsRun(applied, outputs)
    record = JobAlerts(outputs["topic_arns"], outputs["job"]["glue_job_name"])
    for step in ("failure", "breach", "recovery"):
        try:
            setattr(record, step, getattr(run, step)())
        except Exception as exc:  # noqa: BLE001 - kept for the test of that step; the next steps still run
            record.errors[step] = f"{type(exc).__name__}: {exc}"
    return record


# -- LocalStack's own alarm evaluation (the differential check) ----------------------------------------------

def localstack_transitions(emulator, account: str, alarms: list[dict], composite: dict,
                           points: list[tuple[str, int, float]], dimensions: list[dict], namespace: str,
                           settle: float = 150.0) -> dict:
    """Create the alarms, put the datapoints (timestamps relative to the creation second, from `points`),
    wait until LocalStack has gone through ALARM and back to OK (or `settle` s), and return each alarm's
    ordered transitions with the creation time."""
    cw = emulator.client("cloudwatch", account=account)
    names = [a["AlarmName"] for a in alarms] + [composite["AlarmName"]]
    try:
        created = time.time()
        for a in alarms:
            cw.put_metric_alarm(**a)
        cw.put_composite_alarm(**composite)
        base = int(created)
        cw.put_metric_data(Namespace=namespace, MetricData=[
            {"MetricName": m, "Dimensions": dimensions, "Timestamp": datetime.fromtimestamp(base + t, UTC),
             "Value": v, "StorageResolution": 1} for m, t, v in points])
        deadline = created + settle
        history = {}
        while time.time() < deadline:
            time.sleep(2)
            history = {n: _history(cw, n) for n in names}
            if all(("ALARM", "OK") in h for h in history.values()):
                break
        return {"created": created, "base": base, "transitions": {n: _history(cw, n) for n in names}}
    finally:
        cw.delete_alarms(AlarmNames=names)


def _history(cw, name: str) -> list[tuple[str, str]]:
    items = cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    out = []
    for item in items:  # LocalStack lists them in the order they happened
        data = json.loads(item["HistoryData"])
        out.append((data["oldState"]["stateValue"], data["newState"]["stateValue"]))
    return out


DIFFERENTIAL_ACCOUNT = "100000000051"
DIFFERENTIAL_NAMESPACE = "AlarmEval/Differential"


def differential_case(run_id: str, region: str = "us-east-1") -> dict:
    """Two static alarms (10-second periods) and an OR composite naming them by ARN, and their datapoints:
    Latency 5, then 20 in the second 10-second block, then 5; Errors 4 in the second block."""
    dims = [{"Name": "Run", "Value": run_id}]
    common = dict(Namespace=DIFFERENTIAL_NAMESPACE, Dimensions=dims, Period=10, EvaluationPeriods=1,
                  DatapointsToAlarm=1)
    alarms = [
        dict(AlarmName=f"ae-diff-{run_id}-max", MetricName="Latency", Statistic="Maximum", Threshold=10.0,
             ComparisonOperator="GreaterThanThreshold", TreatMissingData="missing", **common),
        dict(AlarmName=f"ae-diff-{run_id}-sum", MetricName="Errors", Statistic="Sum", Threshold=3.0,
             ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching", **common),
    ]
    arn = f"arn:aws:cloudwatch:{region}:{DIFFERENTIAL_ACCOUNT}:alarm:"
    composite = dict(AlarmName=f"ae-diff-{run_id}-any",
                     AlarmRule=" OR ".join(f'ALARM("{arn}{a["AlarmName"]}")' for a in alarms))
    points = []  # (metric, seconds after the creation second, value)
    for block in range(5):
        for second in (2, 4, 6, 8):
            points.append(("Latency", 10 * block + second, 20.0 if block == 1 else 5.0))
            if block == 1:
                points.append(("Errors", 10 * block + second, 1.0))
    return {"alarms": alarms, "composite": composite, "points": points, "dimensions": dims}


def localstack_differential(emulator) -> dict:
    case = differential_case(uuid.uuid4().hex[:8])
    run = localstack_transitions(emulator, DIFFERENTIAL_ACCOUNT, case["alarms"], case["composite"], case["points"],
                                 case["dimensions"], DIFFERENTIAL_NAMESPACE)
    return case | run
