"""Job alerts end to end on the emulator: Glue events and metric data in, severity-routed notifications out.

The example modules/job_monitoring/examples/alerts (applied with the other examples): the notifications module's
severity topics, one SQS inbox subscribed to each, and modules/job_monitoring watching one job with 10-second
alarm periods. As soon as the examples are applied, tests/e2e/scenarios.py (job_alerts) runs, in the background:

1. a "Glue Job State Change" FAILED event, sent with PutEvents, reaches the critical inbox as a readable
   sentence (and a SUCCEEDED event, or a FAILED event of another job, does not: the pattern is honoured);
   that sentence is the one notification: the job-failure alarm goes to ALARM (for the roll-ups) without
   actions. LocalStack does not publish the AWS/Events
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

import pytest

pytestmark = pytest.mark.e2e


def test_failure_event_reaches_the_critical_subscriber_and_the_failure_alarm_fires(job_alerts_record):
    step = job_alerts_record.step("failure")
    text = step["text"]
    glue_job = job_alerts_record.glue_job_name
    assert text.startswith(f"CRITICAL: Glue job {glue_job} ended in state FAILED at "), text
    assert "Command failed with exit code 1" in text and text.endswith("#job-failure"), text
    for severity, stray in step["stray"].items():
        assert not stray, f"the rule's pattern let through {stray} ({severity})"
    assert not step["other_texts"]["warning"] and not step["other_texts"]["info"], step["other_texts"]
    fired = step["fired"]  # in ALARM, and silent: its rule's sentence was the one notification
    assert fired["StateValue"] == "ALARM" and fired["AlarmActions"] == [] and fired["OKActions"] == []
    assert "No actions:" in fired["AlarmDescription"] and fired["AlarmDescription"].endswith("#job-failure")
    assert not any(step["elsewhere"].values()), step["elsewhere"]


def test_breaching_freshness_and_validation_fire_to_their_severities(job_alerts_record):
    step = job_alerts_record.step("breach")
    stale, failing = step["stale"], step["failing"]
    assert "no datapoints" not in stale["NewStateReason"], "fired by missing data, not by the stale datapoint"
    assert stale["Trigger"]["Threshold"] == 25.0 and stale["Trigger"]["MetricName"] == "DataAgeHours"
    assert failing["Trigger"]["Threshold"] == 90.0  # ValidationPassRate < 100 - 10
    assert failing["AlarmActions"] == [job_alerts_record.topic_arns["warning"]]
    crossed = {where: found for where, found in step["crossed"].items() if found}
    assert not crossed, f"an alarm reached a topic of another severity: {crossed}"


def test_recovery_sends_ok_to_the_same_topics(job_alerts_record):
    step = job_alerts_record.step("recovery")
    assert step["fresh_ok"]["NewStateValue"] == "OK"
    assert step["fresh_ok"]["OKActions"] == [job_alerts_record.topic_arns["critical"]]
    assert step["validation_ok"]["OKActions"] == [job_alerts_record.topic_arns["warning"]]
    # no failure counted for a while: the failure alarm (missing data = not breaching) is OK again
    assert step["failure_state"] == "OK"
