"""Thirty simulated days of prod (alarm_eval/replay.py) replayed over the plan of the current code, with an hourly
job added to prod's daily one: docs/alarm-replay.md is its table, and the checks that fail are exactly the noise
the replay has found in the modules (reported, not changed here: the modules belong to their owners)."""

from __future__ import annotations

from pathlib import Path

import pytest

from alarm_eval.replay import PLAN_LABEL, markdown, replay

DOC = Path(__file__).resolve().parents[2] / "docs" / "alarm-replay.md"
# The replay's checks that fail today, each a noise problem of the modules (see docs/alarm-replay.md):
KNOWN_NOISE = {
    # every alarm with ok_actions sends OK on its first INSUFFICIENT_DATA -> OK after an apply (30 OKs on day 0)
    "fresh-apply",
    # that OK, the SLO burn composites' OK after a suppressed ALARM, and a daily job's freshness OK after the
    # INSUFFICIENT_DATA a failed run causes: OKs on a topic that got no ALARM from that alarm
    "ok-without-alarm",
    # a failed run: the job-failure ALARM and the rule's sentence both on critical (and, for the daily job, the
    # freshness INSUFFICIENT_DATA "stopped reporting" the next morning)
    "failed-run-pages",
    # a DLQ spike: depth-warning and depth-critical both pass the remediation filter policy (2 deliveries)
    "remediation-count",
    # every successful run of a deployed job sends the job-succeeded rule's message to the info topic
    "healthy-day",
}


@pytest.fixture(scope="module")
def result(replay_topology):
    return replay(replay_topology)


@pytest.mark.plan
def test_the_replay_table_in_the_docs_is_the_current_one(result):
    expected = markdown(result, PLAN_LABEL)
    assert DOC.read_text() == expected, (
        "docs/alarm-replay.md is stale: python -m alarm_eval.replay --env prod --markdown > docs/alarm-replay.md"
    )


@pytest.mark.plan
def test_the_failing_checks_are_exactly_the_known_noise(result):
    assert result.checks_failed == KNOWN_NOISE, "\n".join(p.text for p in result.problems if not p.approximate)


@pytest.mark.plan
def test_every_delivery_to_the_remediation_lambda_is_usable_and_healthy_days_are_quiet(result):
    assert not [p for p in result.problems if p.check == "unusable"]
    assert not [
        p
        for p in result.problems
        if p.check == "healthy-day" and p.text.split(" of ")[0].endswith("OK") and not p.approximate
    ]
    failed_runs = [r for r in result.rows if "failed run" in r.label]
    assert failed_runs and all(r.by_topic[("critical", "ALARM")] == 1 and r.remediation == 1 for r in failed_runs)
    assert all(r.remediation <= 1 for r in result.rows if "dlq" not in r.label)
