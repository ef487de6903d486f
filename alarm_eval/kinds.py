"""Alarm kinds, and which kinds a set of scenario runs covers.

| kind | what |
|---|---|
| ``events/triggered-rules`` | a static alarm on ``AWS/Events`` ``TriggeredRules`` (EventBridge rule matches) |
| ``logs/metric-filter`` | a static alarm on a metric that a log metric filter of the plan produces |
| ``metric/percentile`` | a static alarm on an extended statistic (``p95``, ``PR(:25)``, ``TM(...)``...) |
| ``metric/missing-breaching`` | a static alarm whose missing data is breaching (no data is itself the problem) |
| ``metric/m-of-n`` | a static alarm with datapoints_to_alarm < evaluation_periods |
| ``metric/static`` | any other single-metric alarm with a static threshold |
| ``band/anomaly`` | an alarm against an anomaly detection band (results approximate) |
| ``math/burn-rate`` | metric math whose result is divided by a constant (an error budget): SLO burn rates |
| ``math/ratio`` | metric math dividing one series by another |
| ``math/expression`` | any other metric math |
| ``composite/or`` | a composite rule of OR only |
| ``composite/and`` | a composite rule with AND (e.g. multi-window burn rates) |
| ``composite/not`` | a composite rule with NOT and without AND |
| ``composite/at-least`` | a composite rule with AT_LEAST |

The first row that applies wins. Coverage: a kind is covered when, for at least one of its alarms, some scenario
makes it fire (it enters ALARM) and some scenario keeps it quiet (it leaves INSUFFICIENT_DATA for OK and never
enters ALARM).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alarm_eval import composite, mathparse
from alarm_eval.decision import ALARM, OK
from alarm_eval.model import CompositeAlarm, MetricAlarm, Topology
from alarm_eval.results import Result
from alarm_eval.statistics import STANDARD

KINDS = (
    "events/triggered-rules",
    "logs/metric-filter",
    "metric/percentile",
    "metric/missing-breaching",
    "metric/m-of-n",
    "metric/static",
    "band/anomaly",
    "math/burn-rate",
    "math/ratio",
    "math/expression",
    "composite/or",
    "composite/and",
    "composite/not",
    "composite/at-least",
)


def _divides_by(node: mathparse.Node, series_only: bool) -> bool:
    if isinstance(node, mathparse.Binary):
        if node.op == "/" and (not series_only or mathparse.references(node.right)):
            return True
        return _divides_by(node.left, series_only) or _divides_by(node.right, series_only)
    if isinstance(node, mathparse.Call):
        return any(_divides_by(a, series_only) for a in node.args)
    if isinstance(node, mathparse.Unary):
        return _divides_by(node.operand, series_only)
    return False


def metric_alarm_kind(alarm: MetricAlarm, topo: Topology) -> str:
    if alarm.threshold_metric_id or alarm.comparison.endswith(("UpperThreshold", "LowerThreshold")):
        return "band/anomaly"
    if alarm.queries:
        returned = next((q for q in alarm.queries if q.return_data and q.expression), None)
        if returned and returned.expression:
            node = mathparse.parse(returned.expression)
            if isinstance(node, mathparse.Binary) and node.op == "/" and isinstance(node.right, mathparse.Num):
                return "math/burn-rate"
            if _divides_by(node, series_only=True):
                return "math/ratio"
        return "math/expression"
    metric = alarm.metric
    assert metric is not None
    if metric.namespace == "AWS/Events" and metric.metric_name == "TriggeredRules":
        return "events/triggered-rules"
    if any(f.namespace == metric.namespace and f.metric_name == metric.metric_name for f in topo.filters):
        return "logs/metric-filter"
    if metric.stat not in STANDARD:
        return "metric/percentile"
    if alarm.treat_missing_data == "breaching":
        return "metric/missing-breaching"
    if alarm.datapoints_to_alarm < alarm.evaluation_periods:
        return "metric/m-of-n"
    return "metric/static"


def composite_kind(alarm: CompositeAlarm) -> str:
    ops = composite.operators(composite.parse(alarm.rule))
    if "AT_LEAST" in ops:
        return "composite/at-least"
    if "AND" in ops:
        return "composite/and"
    if "NOT" in ops:
        return "composite/not"
    return "composite/or"


def classify(topo: Topology) -> dict[str, str]:
    out = {name: metric_alarm_kind(a, topo) for name, a in topo.alarms.items()}
    out.update({name: composite_kind(c) for name, c in topo.composites.items()})
    return dict(sorted(out.items()))


@dataclass
class KindCoverage:
    kind: str
    alarms: list[str]
    fires: list[str] = field(default_factory=list)  # "scenario: alarm"
    quiet: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.fires) and bool(self.quiet)


@dataclass
class Coverage:
    kinds: list[KindCoverage]

    @property
    def missing(self) -> list[str]:
        return [k.kind for k in self.kinds if not k.covered]

    @property
    def complete(self) -> bool:
        return not self.missing


def coverage(topo: Topology, results: list[Result]) -> Coverage:
    """For every kind the plan's alarms have: which scenario runs make one of them fire, and which keep one quiet."""
    kinds = classify(topo)
    by_kind: dict[str, KindCoverage] = {}
    for name, kind in kinds.items():
        by_kind.setdefault(kind, KindCoverage(kind, [])).alarms.append(name)
    for result in results:
        for name in result.alarms:
            kind = kinds.get(name)
            if kind is None:
                continue
            states = [t.new for t in result.transitions_of(name)]
            if ALARM in states:
                by_kind[kind].fires.append(f"{result.scenario}: {name}")
            elif OK in states:
                by_kind[kind].quiet.append(f"{result.scenario}: {name}")
    return Coverage([by_kind[k] for k in sorted(by_kind, key=lambda k: KINDS.index(k) if k in KINDS else 99)])
