"""The missing-data rules of "Configuring how CloudWatch alarms treat missing data": both of the User Guide's example
tables, row by row (evaluation range 5, N = 3, M = 3 and M = 2), plus M of N and the evaluation range."""

from __future__ import annotations

import pytest

from alarm_eval.decision import ALARM, INSUFFICIENT_DATA, OK, decide

pytestmark = pytest.mark.python

KEEP = None  # "Retain current state"
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


def points(row: str) -> list[bool | None]:
    """``0 - X - X`` as the docs write it (oldest first) -> the newest-first list decide() takes."""
    symbol = {"0": False, "X": True, "-": None}
    return [symbol[s] for s in reversed(row.split())]


# "In the first table, Datapoints to Alarm and Evaluation Periods are both 3"
THREE_OF_THREE = [
    ("0 - X - X", 0, (OK, OK, OK, OK)),
    ("0 - - - -", 2, (OK, OK, OK, OK)),
    ("- - - - -", 3, (INSUFFICIENT_DATA, KEEP, ALARM, OK)),
    ("0 X X - X", 0, (ALARM, ALARM, ALARM, ALARM)),
    ("- - X - -", 2, (ALARM, KEEP, ALARM, OK)),  # premature alarm state
]

# "Datapoints to Alarm is only 2 while Evaluation Periods is 3. This is a 2 out of 3, M out of N alarm."
TWO_OF_THREE = [
    ("0 - X - X", 0, (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", 0, (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", 1, (OK, OK, ALARM, OK)),
    ("- - - - 0", 2, (OK, OK, ALARM, OK)),
    ("- - - X -", 2, (ALARM, KEEP, ALARM, OK)),  # premature alarm state
]


@pytest.mark.parametrize(("row", "filled", "expected"), THREE_OF_THREE, ids=[r[0] for r in THREE_OF_THREE])
def test_three_of_three_table(row, filled, expected):
    for treat, state in zip(TREATMENTS, expected, strict=True):
        decision = decide(points(row), 3, 3, treat)
        assert decision.state == state, f"{row} with {treat}: {decision}"
        assert decision.filled == filled, f"{row}: {filled} data points must be filled, {decision}"


@pytest.mark.parametrize(("row", "filled", "expected"), TWO_OF_THREE, ids=[r[0] for r in TWO_OF_THREE])
def test_two_of_three_table(row, filled, expected):
    for treat, state in zip(TREATMENTS, expected, strict=True):
        decision = decide(points(row), 3, 2, treat)
        assert decision.state == state, f"{row} with {treat}: {decision}"
        assert decision.filled == filled, f"{row}: {filled} data points must be filled, {decision}"


def test_with_enough_real_datapoints_the_most_recent_ones_decide_and_missing_ones_are_skipped():
    # "0 X X - X": 4 real points; the 3 most recent real ones (X X X) decide, the oldest 0 is not used
    decision = decide(points("0 X X - X"), 3, 3, "notBreaching")
    assert (decision.state, decision.used, decision.filled, decision.rule) == (ALARM, (0, 2, 3), 0, "threshold")


def test_m_of_n_needs_m_breaching_among_the_last_n():
    assert decide(points("X 0 0 X 0"), 3, 2, "missing").state == OK  # only one of the newest three
    assert decide(points("0 0 X 0 X"), 3, 2, "missing").state == ALARM
    assert decide(points("0 0 X X X"), 3, 3, "missing").state == ALARM
    assert decide(points("X X X X 0"), 3, 3, "missing").state == OK


def test_premature_rule_needs_the_breach_to_be_m_periods_old():
    # "- - - - X" and "- - - X -" with M = 3: not ALARM yet (the next datapoint may be non-breaching)
    assert decide(points("- - - - X"), 3, 3, "missing").state == OK
    assert decide(points("- - - X -"), 3, 3, "missing").state == OK
    assert decide(points("- - X - -"), 3, 3, "missing").rule == "premature"
    # a breaching datapoint older than N but in the evaluation range still counts (the range, not N)
    assert decide(points("X - - - -"), 3, 3, "missing").state == ALARM


def test_evaluation_range_length_is_what_decide_is_given():
    # the same 3 points in a range of 3 (no extra periods) have nothing to fill with
    assert decide([None, None, None], 3, 3, "missing").state == INSUFFICIENT_DATA
    # a real point just beyond N counts when the range reaches it
    assert decide([None, None, None, True], 3, 1, "missing").state == ALARM
