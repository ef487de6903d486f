"""What the evaluator knows of a plan: alarms, topics, subscriptions, rules, targets and metric filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MetricKey = tuple[str, str, tuple[tuple[str, str], ...]]


def metric_key(namespace: str, name: str, dimensions: dict[str, str] | None) -> MetricKey:
    """CloudWatch treats each name + dimension set as its own metric: the key is the exact set."""
    return (namespace, name, tuple(sorted((str(k), str(v)) for k, v in (dimensions or {}).items())))


@dataclass(frozen=True)
class MetricStat:
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    stat: str
    period: int
    unit: str | None = None

    @property
    def key(self) -> MetricKey:
        return metric_key(self.namespace, self.metric_name, self.dimensions)


@dataclass(frozen=True)
class Query:
    """One ``metric_query`` block: a metric (``metric``) or an expression over the others."""

    id: str
    expression: str | None = None
    metric: MetricStat | None = None
    return_data: bool = False
    label: str | None = None


@dataclass
class MetricAlarm:
    name: str
    arn: str
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str = "missing"
    threshold: float | None = None
    threshold_metric_id: str | None = None
    metric: MetricStat | None = None  # a single-metric alarm
    queries: list[Query] = field(default_factory=list)  # a metric-math alarm
    description: str = ""
    low_sample_percentiles: str = ""  # evaluate_low_sample_count_percentiles: "", evaluate or ignore
    actions_enabled: bool = True
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    address: str = ""

    @property
    def period(self) -> int:
        if self.metric:
            return self.metric.period
        periods = [q.metric.period for q in self.queries if q.metric]
        return periods[0] if periods else 60

    @property
    def is_math(self) -> bool:
        return bool(self.queries)

    @property
    def uses_band(self) -> bool:
        return self.threshold_metric_id is not None


@dataclass
class CompositeAlarm:
    name: str
    arn: str
    rule: str
    description: str = ""
    actions_enabled: bool = True
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    suppressor: str | None = None  # an alarm name or ARN
    wait_period: int = 0
    extension_period: int = 0
    address: str = ""


@dataclass(frozen=True)
class Topic:
    name: str
    arn: str
    address: str = ""


@dataclass(frozen=True)
class Subscription:
    topic_arn: str
    protocol: str
    endpoint: str
    filter_policy: dict[str, Any] | None = None
    filter_policy_scope: str = "MessageAttributes"
    raw_message_delivery: bool = False
    address: str = ""


@dataclass(frozen=True)
class InputTransformer:
    input_paths: dict[str, str]
    input_template: str


@dataclass(frozen=True)
class EventRule:
    name: str
    arn: str
    pattern: dict[str, Any] | None
    enabled: bool = True
    event_bus: str = "default"
    address: str = ""


@dataclass(frozen=True)
class EventTarget:
    rule: str
    target_id: str
    arn: str
    input: str | None = None
    input_path: str | None = None
    transformer: InputTransformer | None = None
    address: str = ""


@dataclass(frozen=True)
class MetricFilter:
    name: str
    log_group: str
    pattern: str
    metric_name: str
    namespace: str
    value: str
    default_value: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    address: str = ""


@dataclass
class Topology:
    account: str
    region: str
    alarms: dict[str, MetricAlarm] = field(default_factory=dict)
    composites: dict[str, CompositeAlarm] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)  # by ARN
    subscriptions: list[Subscription] = field(default_factory=list)
    rules: dict[str, EventRule] = field(default_factory=dict)
    targets: list[EventTarget] = field(default_factory=list)
    filters: list[MetricFilter] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # plan-time unknowns resolved by the naming convention

    def all_alarm_names(self) -> list[str]:
        return sorted([*self.alarms, *self.composites])

    def alarm_arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"

    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self.region}:{self.account}:{name}"
