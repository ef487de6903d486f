"""The state a metric alarm's datapoints call for: M out of N, the evaluation range, and missing data.

CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data" ("How alarm state is evaluated when
data is missing") and "Avoiding premature transitions to alarm state":

- CloudWatch retrieves more datapoints than Evaluation Periods (N): the *evaluation range*.
- With at least N real datapoints in the range, the N most recent real ones decide (missing ones are skipped and
  treat_missing_data is not used): ALARM when at least Datapoints to Alarm (M) of them breach, else OK.
- With fewer, the missing ones are filled with the treat_missing_data setting, as few as possible (N minus the real
  ones), and all real datapoints of the range take part.
- With none at all: missing -> INSUFFICIENT_DATA, ignore -> keep the state, breaching -> ALARM, notBreaching -> OK.
- Premature ALARM: when the oldest real breaching datapoint of the range is at least M periods old and every more
  recent datapoint is breaching or missing, the alarm goes to ALARM even with fewer than M real breaching
  datapoints. The docs' tables show it for ``missing`` (ALARM) and ``ignore`` (state kept).

Assumptions (the docs do not say; each is pinned by a test):
- "fewer than M but not premature" with missing/ignore evaluates the real datapoints as they are: OK. This is what
  the tables give for ``0 - - - -`` and ``- - - - 0`` under both settings.
- A non-breaching real datapoint anywhere in the range stops the premature rule: the 2-of-3 table's row
  ``0 - X - -`` stays OK under ``missing``, although its breaching datapoint is old enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ALARM, OK, INSUFFICIENT_DATA = "ALARM", "OK", "INSUFFICIENT_DATA"
STATES = (ALARM, OK, INSUFFICIENT_DATA)
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


@dataclass(frozen=True)
class Decision:
    state: str | None  # None: keep the current state
    used: tuple[int, ...]  # ages (0 = newest period) of the real datapoints the decision used
    filled: int  # missing datapoints filled with treat_missing_data
    breaching: int  # breaching datapoints counted, filled ones included
    rule: str  # threshold | premature | no-data


def decide(points: Sequence[bool | None], evaluation_periods: int, datapoints_to_alarm: int, treat: str) -> Decision:
    """``points`` is the evaluation range, newest first: True breaching, False not breaching, None missing."""
    n, m = evaluation_periods, datapoints_to_alarm
    real = [(age, b) for age, b in enumerate(points) if b is not None]
    if len(real) >= n:
        used = real[:n]
        breaching = sum(1 for _, b in used if b)
        return Decision(ALARM if breaching >= m else OK, tuple(a for a, _ in used), 0, breaching, "threshold")
    ages = tuple(a for a, _ in real)
    fill = n - len(real)
    if not real:
        state = {"missing": INSUFFICIENT_DATA, "ignore": None, "breaching": ALARM, "notBreaching": OK}[treat]
        return Decision(state, (), fill, fill if treat == "breaching" else 0, "no-data")
    breaching = sum(1 for _, b in real if b) + (fill if treat == "breaching" else 0)
    if breaching >= m:
        return Decision(ALARM, ages, fill, breaching, "threshold")
    if treat in ("missing", "ignore") and all(b for _, b in real) and real[-1][0] + 1 >= m:
        return Decision(ALARM if treat == "missing" else None, ages, fill, breaching, "premature")
    return Decision(OK, ages, fill, breaching, "threshold")
