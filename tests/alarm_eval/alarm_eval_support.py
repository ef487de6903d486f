"""Helpers of the alarm_eval tests: small plans built in code, scenarios as dicts, one-call runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alarm_eval.engine import run
from alarm_eval.model import CompositeAlarm, MetricAlarm, MetricStat, Query, Subscription, Topic, Topology
from alarm_eval.results import Result
from alarm_eval.scenario import from_dict

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT, REGION = "123456789012", "us-east-1"
START = "2026-01-01T00:00:00Z"
NS = "Test"


def topic(name: str) -> Topic:
    return Topic(name, f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}")


def metric_alarm(name: str, **fields: Any) -> MetricAlarm:
    """A static alarm on Test/<metric> with one topic for ALARM and OK, unless fields say otherwise."""
    stat = fields.pop("stat", "Maximum")
    period = fields.pop("period", 60)
    metric_name = fields.pop("metric", name)
    dimensions = fields.pop("dimensions", {})
    notify = fields.pop("topic", "alerts")
    defaults: dict[str, Any] = dict(
        arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        comparison="GreaterThanThreshold",
        threshold=10.0,
        evaluation_periods=1,
        datapoints_to_alarm=fields.get("evaluation_periods", 1),
        treat_missing_data="missing",
        alarm_actions=[topic(notify).arn] if notify else [],
        ok_actions=[topic(notify).arn] if notify else [],
    )
    if "queries" not in fields:
        defaults["metric"] = MetricStat(NS, metric_name, dimensions, stat, period)
    defaults.update(fields)
    return MetricAlarm(name=name, **defaults)


def math_alarm(name: str, queries: list[Query], **fields: Any) -> MetricAlarm:
    return metric_alarm(name, queries=queries, **fields)


def metric_query(query_id: str, metric: str, stat: str = "Sum", period: int = 60) -> Query:
    return Query(query_id, metric=MetricStat(NS, metric, {}, stat, period))


def composite_alarm(name: str, rule: str, **fields: Any) -> CompositeAlarm:
    notify = fields.pop("topic", "alerts")
    defaults: dict[str, Any] = dict(
        arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        alarm_actions=[topic(notify).arn],
        ok_actions=[topic(notify).arn],
    )
    defaults.update(fields)
    return CompositeAlarm(name=name, rule=rule, **defaults)


def topology(
    *alarms: MetricAlarm | CompositeAlarm,
    topics: tuple[str, ...] = ("alerts",),
    subscriptions: tuple[Subscription, ...] = (),
) -> Topology:
    topo = Topology(ACCOUNT, REGION)
    for t in topics:
        topo.topics[topic(t).arn] = topic(t)
    for a in alarms:
        if isinstance(a, CompositeAlarm):
            topo.composites[a.name] = a
        else:
            topo.alarms[a.name] = a
    topo.subscriptions.extend(subscriptions)
    return topo


def series(metric: str, values: str | list[Any], **fields: Any) -> dict[str, Any]:
    return {"namespace": NS, "metric": metric, "values": values, **fields}


def simulate(topo: Topology, duration: str = "30m", **scenario: Any) -> Result:
    doc = {"name": "test", "start": START, "duration": duration, **scenario}
    return run(topo, from_dict(doc))


def changes(result: Result, alarm: str) -> list[tuple[str, str, str]]:
    """An alarm's transitions as (offset, from, to)."""
    from alarm_eval.timeutil import format_offset

    return [(format_offset(t.time - result.start), t.old, t.new) for t in result.transitions_of(alarm)]


def states(result: Result, alarm: str) -> list[str]:
    return [t.new for t in result.transitions_of(alarm)]
