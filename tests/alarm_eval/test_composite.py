"""Composite alarms ("Create a composite alarm"): the rule language, evaluation when a child changes, actions, and
actions suppression with WaitPeriod and ExtensionPeriod (the six examples of "Composite alarm action
suppression", with a time unit of one minute, WaitPeriod 2 and ExtensionPeriod 3 units)."""

from __future__ import annotations

import pytest
from alarm_eval_support import changes, composite_alarm, metric_alarm, series, simulate, topology

from alarm_eval import composite
from alarm_eval.errors import InputError
from alarm_eval.timeutil import format_offset

pytestmark = pytest.mark.python

IN, OK, AL = "INSUFFICIENT_DATA", "OK", "ALARM"


def states(**children: str):
    return lambda name: children.get(name, IN)


@pytest.mark.parametrize(
    ("rule", "children", "expected"),
    [
        ("ALARM(a) OR ALARM(b)", dict(a=OK, b=AL), True),
        ("ALARM(a) OR ALARM(b)", dict(a=OK, b=IN), False),
        ("ALARM(a) AND ALARM(b)", dict(a=AL, b=OK), False),
        ("ALARM(a) AND NOT ALARM(b)", dict(a=AL, b=OK), True),
        ("(ALARM(a) OR ALARM(b)) AND OK(c)", dict(a=AL, c=OK), True),
        ("(ALARM(a) OR ALARM(b)) AND OK(c)", dict(a=AL, c=IN), False),
        ("INSUFFICIENT_DATA(a)", {}, True),
        ("ALARM(a) OR ALARM(b) AND ALARM(c)", dict(a=AL), True),  # AND binds tighter
        ("NOT ALARM(a) AND ALARM(b)", dict(a=OK, b=AL), True),
        ("TRUE", {}, True),
        ("FALSE OR NOT TRUE", {}, False),
        ('ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a-1h")', {"a-1h": AL}, True),
        ('ALARM("name with spaces")', {"name with spaces": AL}, True),
        ("AT_LEAST(2, ALARM, (a, b, c))", dict(a=AL, b=AL), True),
        ("AT_LEAST(2, ALARM, (a, b, c))", dict(a=AL, b=OK), False),
        ("AT_LEAST(50%, ALARM, (a, b, c, d))", dict(a=AL, c=AL), True),
        ("AT_LEAST(50%, ALARM, (a, b, c))", dict(a=AL), False),  # 50 % of 3 needs 2
        ("AT_LEAST(2, NOT OK, (a, b, c))", dict(a=OK, b=IN, c=AL), True),
        ('AT_LEAST(1, OK, ("a", b)) AND TRUE', dict(b=OK), True),
    ],
)
def test_rule_evaluation(rule, children, expected):
    assert composite.evaluate(composite.parse(rule), states(**children)) is expected


def test_children_by_name_or_arn_and_operators():
    rule = composite.parse('(ALARM("arn:aws:cloudwatch:us-east-1:1:alarm:x") AND ALARM(y)) OR AT_LEAST(1, OK, (z, x))')
    assert composite.children(rule) == ["x", "y", "z"]
    assert composite.operators(rule) == {"AND", "OR", "AT_LEAST"}


@pytest.mark.parametrize(
    "bad",
    [
        "ALARM(a",
        "ALARM(a) AND",
        "MAYBE(a)",
        "AT_LEAST(x, ALARM, (a))",
        "AT_LEAST(1, BAD, (a))",
        "ALARM(a) ALARM(b)",
        "ALARM()",
    ],
)
def test_bad_rules_are_input_errors(bad):
    with pytest.raises(InputError, match="alarm rule"):
        composite.parse(bad)


def values(minutes: int, *alarm_windows: tuple[int, int]) -> str:
    """A metric evaluated each minute that is in ALARM from +a to +b for each (a, b), OK otherwise (from +1m)."""
    breaching = {i for a, b in alarm_windows for i in range(a - 1, b - 1)}
    return " ".join("20" if i in breaching else "5" for i in range(minutes))


def child(name: str) -> object:
    return metric_alarm(name, treat_missing_data="notBreaching", topic="")


def run_suppression(x: tuple[int, int] | None, s: list[tuple[int, int]], minutes: int = 30):
    composite_ = composite_alarm("c", "ALARM(x)", suppressor="s", wait_period=120, extension_period=180)
    x_windows = [x] if x else []
    result = simulate(
        topology(child("x"), child("s"), composite_),
        duration=f"{minutes}m",
        series=[series("x", values(minutes, *x_windows)), series("s", values(minutes, *s))],
    )
    sent = [(format_offset(n.time - result.start), n.state) for n in result.notifications if n.origin == "c"]
    return result, sent


def test_a_composite_is_evaluated_when_a_child_changes():
    c = composite_alarm("c", "ALARM(a) OR ALARM(b)")
    result = simulate(
        topology(child("a"), child("b"), c),
        duration="12m",
        series=[series("a", values(12, (4, 6))), series("b", values(12, (5, 8)))],
    )
    assert changes(result, "c") == [("+0s", IN, OK), ("+4m", OK, AL), ("+8m", AL, OK)]
    triggered = result.transitions_of("c")[1]
    assert triggered.reason.startswith("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a transitioned to ALARM")
    alarm_message = [n for n in result.notifications if n.origin == "c" and n.state == AL][0]
    assert '"TriggeringChildren": [{"Arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"' in alarm_message.message


def test_composites_of_composites_settle_in_one_instant():
    inner = composite_alarm("inner", "ALARM(a) AND ALARM(b)")
    outer = composite_alarm("outer", "ALARM(inner) OR ALARM(c)")
    result = simulate(
        topology(child("a"), child("b"), child("c"), inner, outer),
        duration="10m",
        series=[series("a", values(10, (3, 9))), series("b", values(10, (5, 7))), series("c", values(10))],
    )
    assert changes(result, "inner") == [("+0s", IN, OK), ("+5m", OK, AL), ("+7m", AL, OK)]
    assert changes(result, "outer") == [("+0s", IN, OK), ("+5m", OK, AL), ("+7m", AL, OK)]


def test_suppression_example_1_actions_are_taken_after_the_wait_period():
    # the composite goes to ALARM at +10m (t2); WaitPeriod until +12m (t4); the suppressor stays OK: actions at +12m
    result, sent = run_suppression(x=(10, 40), s=[])
    assert sent == [("+2m", OK), ("+12m", AL)]  # the first OK (at +0s) also waited its 2 minutes
    assert result.transitions_of("c")[-1].actions_suppressed_by == "WaitPeriod"


def test_suppression_example_2_the_suppressor_alarms_during_the_wait_period():
    _, sent = run_suppression(x=(10, 40), s=[(11, 40)])
    assert sent == [("+2m", OK)]


def test_suppression_example_3_a_new_state_change_restarts_the_wait_period():
    # ALARM at +10m, back to OK at +11m: a new WaitPeriod until +13m, then the actions of the current state (OK)
    _, sent = run_suppression(x=(10, 11), s=[])
    assert sent == [("+2m", OK), ("+13m", OK)]


def test_suppression_example_4_the_suppressor_is_already_in_alarm():
    result, sent = run_suppression(x=(10, 40), s=[(5, 40)])
    assert sent == [("+2m", OK)]
    assert result.transitions_of("c")[-1].actions_suppressed_by == "Alarm"


def test_suppression_example_5_actions_after_the_extension_period():
    # suppressor ALARM at +11m (t3) to +16m (t6); ExtensionPeriod until +19m; the composite is still in ALARM
    _, sent = run_suppression(x=(10, 40), s=[(11, 16)])
    assert sent == [("+2m", OK), ("+19m", AL)]


def test_suppression_example_6_a_state_change_during_the_extension_period_starts_a_wait_period():
    # suppressor OK at +16m, ExtensionPeriod to +19m; the composite returns to OK at +17m: a WaitPeriod to +19m
    _, sent = run_suppression(x=(10, 17), s=[(11, 16)])
    assert sent == [("+2m", OK), ("+19m", OK)]


def test_actions_enabled_false_changes_state_without_notifying():
    c = composite_alarm("c", "ALARM(a)", actions_enabled=False)
    result = simulate(topology(child("a"), c), duration="5m", series=[series("a", values(5, (2, 9)))])
    assert [t.new for t in result.transitions_of("c")] == [OK, AL]
    assert not [n for n in result.notifications if n.origin == "c"]


def test_suppression_periods_directly():
    from alarm_eval.suppression import Suppression

    s = Suppression(wait=0, extension=60)
    s.on_suppressor_change(0, in_alarm=True)
    assert s.on_composite_change(10) == "Alarm" and s.suppressed_by == "Alarm"
    assert not s.on_suppressor_change(20, in_alarm=False) and s.suppressed_by == "ExtensionPeriod"
    assert s.on_composite_change(30) is None  # no WaitPeriod: a change during the extension acts at once
    assert not s.on_suppressor_change(40, in_alarm=True) and not s.on_suppressor_change(50, in_alarm=False)
    assert not s.expire(110)  # the change of +10s was acted on at +30s: nothing is left to act on
