"""One evaluation of a metric alarm at an instant ("Evaluating an alarm").

The alarm looks at its evaluation range: the ``range_size`` periods that end at the evaluation instant (a sliding
window, CloudWatch's default), each aggregated with the alarm's statistic, or computed by its metric math. Each
period's value is compared with the threshold (or with the anomaly band of ``threshold_metric_id``) and
``decision.decide`` turns the range into a state.

Assumptions: the evaluation range is N + max(2, N // 3) periods (the docs' example is 5 for N = 3 and do not give
the rule; LocalStack uses the same formula); a period with a value but no band (the model still training) counts as
missing.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from alarm_eval import anomaly
from alarm_eval.decision import ALARM, INSUFFICIENT_DATA, OK, Decision, decide
from alarm_eval.errors import InputError
from alarm_eval.matheval import MathContext
from alarm_eval.metricstore import MetricStore
from alarm_eval.model import MetricAlarm, MetricKey
from alarm_eval.series import Grid, Series, metric_series
from alarm_eval.statistics import low_sample_minimum
from alarm_eval.statistics import parse as parse_statistic
from alarm_eval.timeutil import reason_time

STATIC_OPS = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
BAND_OPS = {
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "less than the lower band",
    "GreaterThanUpperThreshold": "greater than the upper band",
}


def range_size(evaluation_periods: int) -> int:
    return evaluation_periods + max(2, evaluation_periods // 3)


@dataclass(frozen=True)
class Evaluation:
    state: str | None  # None: keep the current state
    reason: str
    approximate: bool
    datapoints: tuple[tuple[float, float], ...] = ()  # (period start, value) the decision used, newest first


class MetricAlarmEvaluator:
    def __init__(self, alarm: MetricAlarm, store: MetricStore, band: anomaly.BandSettings):
        self.alarm = alarm
        self.store = store
        self.band_settings = band
        if alarm.comparison not in STATIC_OPS and alarm.comparison not in BAND_OPS:
            raise InputError(f"{alarm.name}: unknown comparison_operator {alarm.comparison!r}")
        if alarm.comparison in BAND_OPS and not alarm.threshold_metric_id:
            raise InputError(f"{alarm.name}: {alarm.comparison} needs threshold_metric_id (an anomaly band)")
        if alarm.comparison in STATIC_OPS and alarm.threshold is None:
            raise InputError(f"{alarm.name}: {alarm.comparison} needs a threshold")
        if not 1 <= alarm.datapoints_to_alarm <= alarm.evaluation_periods:
            raise InputError(f"{alarm.name}: datapoints_to_alarm must be between 1 and evaluation_periods")
        if alarm.metric:
            parse_statistic(alarm.metric.stat)
        self.returned = self._returned_query()
        self.context = MathContext(alarm.queries, store, band) if alarm.queries else None
        self.size = range_size(alarm.evaluation_periods)

    def _returned_query(self) -> str | None:
        if not self.alarm.queries:
            return None
        ids = [q.id for q in self.alarm.queries if q.return_data and q.id != self.alarm.threshold_metric_id]
        if len(ids) != 1:
            raise InputError(
                f"{self.alarm.name}: a metric math alarm needs exactly one query with return_data (besides the "
                f"threshold metric); got {ids or 'none'}"
            )
        return ids[0]

    @property
    def input_keys(self) -> list[MetricKey]:
        if self.alarm.metric:
            return [self.alarm.metric.key]
        return [q.metric.key for q in self.alarm.queries if q.metric]

    @property
    def uses_band(self) -> bool:
        return self.alarm.threshold_metric_id is not None

    # -- one evaluation ---------------------------------------------------------------------------------------

    def evaluate(self, t: float, current: str) -> Evaluation:
        alarm = self.alarm
        grid = Grid.ending_at(t, alarm.period, self.size)
        values, counts = self._values(grid)
        band = self._band(grid) if self.uses_band else None
        points: list[bool | None] = []
        for age in range(self.size):
            index = self.size - 1 - age
            points.append(self._breach(values.get(index), band, index))
        decision = decide(points, alarm.evaluation_periods, alarm.datapoints_to_alarm, alarm.treat_missing_data)
        used = tuple((grid.bucket_start(self.size - 1 - age), values[self.size - 1 - age]) for age in decision.used)
        approximate = self.uses_band
        if self._low_sample(decision, counts):
            return Evaluation(None, "Low sample count for the percentile: state kept", approximate, used)
        return Evaluation(decision.state, self._reason(decision, used, current), approximate, used)

    def _values(self, grid: Grid) -> tuple[Series, dict[int, int]]:
        if self.alarm.metric:
            return metric_series(self.store, self.alarm.metric, grid)
        assert self.context is not None and self.returned is not None
        self.context.clear()
        result = self.context.series(self.returned, grid)
        if not isinstance(result, dict):
            raise InputError(f"{self.alarm.name}: query {self.returned!r} must give one time series")
        return result, {}

    def _band(self, grid: Grid) -> tuple[Series, Series]:
        assert self.context is not None and self.alarm.threshold_metric_id
        result = self.context.series(self.alarm.threshold_metric_id, grid)
        if not (isinstance(result, list) and len(result) == 2):
            raise InputError(f"{self.alarm.name}: threshold_metric_id must name an ANOMALY_DETECTION_BAND query")
        upper, lower = result
        return lower, upper

    def _breach(self, value: float | None, band: tuple[Series, Series] | None, index: int) -> bool | None:
        if value is None:
            return None
        op = self.alarm.comparison
        if op in STATIC_OPS:
            return bool(STATIC_OPS[op][0](value, self.alarm.threshold))
        assert band is not None
        lower, upper = band[0].get(index), band[1].get(index)
        if lower is None or upper is None:
            return None
        if op == "LessThanLowerThreshold":
            return value < lower
        if op == "GreaterThanUpperThreshold":
            return value > upper
        return value < lower or value > upper

    def _low_sample(self, decision: Decision, counts: dict[int, int]) -> bool:
        """ "Percentile-based alarms and low data samples": with ``ignore`` the state does not change while an
        evaluated period has fewer than 10/(1-p) samples (10/p below p50)."""
        if self.alarm.low_sample_percentiles != "ignore" or not self.alarm.metric:
            return False
        fraction = parse_statistic(self.alarm.metric.stat).percentile
        if fraction is None:
            return False
        minimum = low_sample_minimum(fraction)
        return any(counts.get(self.size - 1 - age, 0) < minimum for age in decision.used)

    # -- the state reason, in CloudWatch's words -----------------------------------------------------------------

    def _reason(self, decision: Decision, used: tuple[tuple[float, float], ...], current: str) -> str:
        alarm = self.alarm
        n = alarm.evaluation_periods
        treat = {"breaching": "Breaching", "notBreaching": "NonBreaching"}.get(alarm.treat_missing_data, "Missing")
        if decision.rule == "no-data":
            if decision.state == INSUFFICIENT_DATA:
                return f"Insufficient Data: {n} datapoint{'s were' if n > 1 else ' was'} unknown."
            return (
                f"Threshold Crossed: no datapoints were received for {n} period{'s' if n > 1 else ''} and {n} "
                f"missing datapoint{'s were' if n > 1 else ' was'} treated as [{treat}]."
            )
        listed = ", ".join(f"{_number(v)} ({reason_time(start)})" for start, v in used)
        phrase = STATIC_OPS[alarm.comparison][1] if alarm.comparison in STATIC_OPS else BAND_OPS[alarm.comparison]
        target = f"the threshold ({_number(alarm.threshold)})" if alarm.comparison in STATIC_OPS else "the band"
        filled = (
            f" and {decision.filled} missing datapoint{'s' if decision.filled != 1 else ''} treated as [{treat}]"
            if decision.filled and alarm.treat_missing_data in ("breaching", "notBreaching")
            else ""
        )
        if decision.rule == "premature":
            return (
                f"Threshold Crossed: the oldest breaching datapoint [{listed}] is at least "
                f"{alarm.datapoints_to_alarm} periods old and the newer ones are missing (premature ALARM)."
            )
        if decision.state == ALARM:
            return (
                f"Threshold Crossed: {decision.breaching} out of the last {len(used) + decision.filled} "
                f"datapoints [{listed}]{filled} {'was' if decision.breaching == 1 else 'were'} {phrase} {target} "
                f"(minimum {alarm.datapoints_to_alarm} datapoint{'s' if alarm.datapoints_to_alarm > 1 else ''} "
                f"for {current if current != ALARM else OK} -> ALARM transition)."
            )
        total = len(used) + decision.filled
        fine = total - decision.breaching
        needed = alarm.evaluation_periods - alarm.datapoints_to_alarm + 1
        return (
            f"Threshold Crossed: {fine} out of the last {total} datapoint{'s' if total != 1 else ''} "
            f"[{listed}]{filled} "
            f"{'was' if fine == 1 else 'were'} not {phrase} {target} "
            f"(minimum {needed} datapoint{'s' if needed > 1 else ''} for ALARM -> OK transition)."
        )


def _number(value: Any) -> str:
    return repr(float(value))
