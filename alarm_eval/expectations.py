"""Checks a run against its scenario's ``expect`` block.

- ``transitions``: for every alarm the pattern matches, its transitions in order; ``exactly`` (the default) means
  these and no others, ``at_least`` means these in this order with others allowed around them.
- ``notifications``: how many notifications a topic received (or deliveries an endpoint got), optionally only
  those of some alarms or rules (``alarms``), of one new state, or of one source (``alarm`` or ``eventbridge``);
  ``exactly`` (default), ``at_least`` or ``at_most`` ``count``; ``only_from`` also requires that every one of them
  (of that state and source) comes from these alarms or rules.
- ``never_alarm``: the alarms that must never enter ALARM.
A pattern that matches nothing is an error in the scenario (exit status 2), not a failed expectation.
"""

from __future__ import annotations

from alarm_eval.decision import ALARM
from alarm_eval.errors import InputError
from alarm_eval.patterns import glob
from alarm_eval.results import Check, Result, Transition
from alarm_eval.scenario import NotificationExpectation, Scenario, Step, TransitionExpectation
from alarm_eval.timeutil import format_offset


def check(result: Result, scenario: Scenario) -> list[Check]:
    checks: list[Check] = []
    for expectation in scenario.expect.transitions:
        for alarm in _alarms(result, expectation.alarm, scenario):
            checks.append(_transitions(result, alarm, expectation, scenario.start))
    for expectation in scenario.expect.notifications:
        checks.append(_notifications(result, expectation, scenario))
    for pattern in scenario.expect.never_alarm:
        for alarm in _alarms(result, pattern, scenario):
            fired = [t for t in result.transitions_of(alarm) if t.new == ALARM]
            detail = ", ".join(format_offset(t.time - scenario.start) for t in fired)
            checks.append(
                Check(f"{alarm} never enters ALARM", not fired, f"entered ALARM at {detail}" if fired else "")
            )
    return checks


def _alarms(result: Result, pattern: str, scenario: Scenario) -> list[str]:
    found = [n for n in result.alarms if glob(pattern, n)]
    if not found:
        raise InputError(f"scenario {scenario.name}: expect names {pattern!r}, which matches no alarm of the run")
    return found


def _matches(step: Step, t: Transition) -> bool:
    return (
        (step.from_ is None or step.from_ == t.old)
        and (step.to is None or step.to == t.new)
        and (step.at is None or abs(step.at - t.time) < 1e-6)
        and (step.between is None or step.between[0] <= t.time <= step.between[1])
    )


def _transitions(result: Result, alarm: str, expectation: TransitionExpectation, start: float) -> Check:
    actual = result.transitions_of(alarm)
    steps = expectation.steps
    if expectation.mode == "exactly":
        passed = len(actual) == len(steps) and all(_matches(s, t) for s, t in zip(steps, actual, strict=False))
    else:
        position = 0
        for t in actual:
            if position < len(steps) and _matches(steps[position], t):
                position += 1
        passed = position == len(steps)
    wanted = "; ".join(s.describe(start) for s in steps) or "none"
    got = "; ".join(f"{t.old} -> {t.new} at {format_offset(t.time - start)}" for t in actual) or "none"
    return Check(f"{alarm}: transitions {expectation.mode} [{wanted}]", passed, "" if passed else f"got [{got}]")


def _notifications(result: Result, expectation: NotificationExpectation, scenario: Scenario) -> Check:
    topics = result.topology.topics
    if expectation.topic is not None:
        arns = {arn for arn, t in topics.items() if glob(expectation.topic, t.name) or glob(expectation.topic, arn)}
        if not arns:
            raise InputError(
                f"scenario {scenario.name}: expect.notifications topic {expectation.topic!r} matches no "
                f"topic ({', '.join(sorted(t.name for t in topics.values()))})"
            )
        items = [n for n in result.notifications if n.topic_arn in arns]
        what = f"topic {expectation.topic}"
    else:
        endpoint = expectation.endpoint or ""
        if not any(glob(endpoint, s.endpoint) for s in result.topology.subscriptions):
            raise InputError(
                f"scenario {scenario.name}: expect.notifications endpoint {endpoint!r} matches no subscription"
            )
        items = [d.notification for d in result.deliveries if glob(endpoint, d.subscription.endpoint)]
        what = f"endpoint {endpoint}"
    if expectation.state:
        items = [n for n in items if n.state == expectation.state]
    if expectation.source:
        items = [n for n in items if n.source == expectation.source]
    stray = [n for n in items if expectation.only_from and not any(glob(p, n.origin) for p in expectation.only_from)]
    if expectation.alarms:
        items = [n for n in items if any(glob(p, n.origin) for p in expectation.alarms)]
    count = len(items)
    passed = (
        not stray
        and {
            "exactly": count == expectation.count,
            "at_least": count >= expectation.count,
            "at_most": count <= expectation.count,
        }[expectation.mode]
    )
    filters = "".join(
        [
            f" from {', '.join(expectation.alarms)}" if expectation.alarms else "",
            f" ({expectation.state})" if expectation.state else "",
            f" via {expectation.source}" if expectation.source else "",
        ]
    )
    if stray:
        filters += f" only from {', '.join(expectation.only_from)}"
        items = stray
    listed = ", ".join(
        f"{n.origin} {n.state or ''} at {format_offset(n.time - scenario.start)}".replace("  ", " ") for n in items[:10]
    )
    detail = f"also from others: {listed}" if stray else f"got {count}: {listed}"
    return Check(
        f"{what}: {expectation.mode.replace('_', ' ')} {expectation.count} notification(s){filters}",
        passed,
        "" if passed else detail,
    )
