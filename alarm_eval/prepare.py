"""The part of a plan a scenario runs: the alarms it selects (and what they depend on), its overrides ("what if
critical were 5") and the subscriptions it adds."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from alarm_eval import composite
from alarm_eval.errors import InputError
from alarm_eval.model import MetricAlarm, MetricStat, Query, Subscription, Topology
from alarm_eval.patterns import glob
from alarm_eval.scenario import Scenario


def prepare(topo: Topology, scenario: Scenario) -> tuple[Topology, list[str]]:
    warnings: list[str] = []
    names = topo.all_alarm_names()
    selected: set[str] = set()
    for pattern in scenario.alarms:
        found = [n for n in names if glob(pattern, n)]
        if not found:
            raise InputError(
                f"scenario {scenario.name}: alarms pattern {pattern!r} matches no alarm of the plan "
                f"({len(names)} alarms, e.g. {', '.join(names[:3])})"
            )
        selected.update(found)
    selected = _with_dependencies(topo, selected, warnings)
    alarms = {n: a for n, a in topo.alarms.items() if n in selected}
    composites = {n: c for n, c in topo.composites.items() if n in selected}
    for override in scenario.overrides:
        found = [n for n in alarms if glob(override["alarm"], n)]
        if not found:
            raise InputError(
                f"scenario {scenario.name}: override {override['alarm']!r} matches no metric alarm of the scenario"
            )
        for name in found:
            alarms[name] = _override(alarms[name], override)
    subscriptions = list(topo.subscriptions) + [
        s for spec in scenario.subscriptions for s in _subscriptions(topo, spec)
    ]
    prepared = dataclasses.replace(
        topo, alarms=alarms, composites=composites, subscriptions=subscriptions, warnings=list(topo.warnings)
    )
    return prepared, warnings


def _with_dependencies(topo: Topology, selected: set[str], warnings: list[str]) -> set[str]:
    out = set(selected)
    todo = [n for n in selected if n in topo.composites]
    while todo:
        c = topo.composites[todo.pop()]
        needed = composite.children(composite.parse(c.rule))
        if c.suppressor:
            needed.append(composite.alarm_name(c.suppressor))
        for child in needed:
            if child not in topo.alarms and child not in topo.composites:
                warnings.append(
                    f"{c.name}: its rule names {child}, which is not in the plan: it stays INSUFFICIENT_DATA"
                )
                continue
            if child not in out:
                out.add(child)
                if child in topo.composites:
                    todo.append(child)
    return out


def _override(alarm: MetricAlarm, override: dict[str, Any]) -> MetricAlarm:
    changes: dict[str, Any] = {}
    if "threshold" in override:
        changes["threshold"] = float(override["threshold"])
    for key in ("evaluation_periods", "datapoints_to_alarm"):
        if key in override:
            changes[key] = int(override[key])
    if "evaluation_periods" in override and "datapoints_to_alarm" not in override:
        changes["datapoints_to_alarm"] = min(alarm.datapoints_to_alarm, int(override["evaluation_periods"]))
    if "treat_missing_data" in override:
        changes["treat_missing_data"] = override["treat_missing_data"]
    if "actions_enabled" in override:
        changes["actions_enabled"] = bool(override["actions_enabled"])
    if "period" in override:
        period = int(override["period"])
        if alarm.metric:
            changes["metric"] = dataclasses.replace(alarm.metric, period=period)
        changes["queries"] = [dataclasses.replace(q, metric=_period(q.metric, period)) for q in alarm.queries]
    if "band_stddevs" in override:
        if not alarm.threshold_metric_id:
            raise InputError(f"override band_stddevs: {alarm.name} has no anomaly band")
        changes["queries"] = [
            _band_width(q, alarm.threshold_metric_id, float(override["band_stddevs"]))
            for q in changes.get("queries", alarm.queries)
        ]
    return dataclasses.replace(alarm, **changes)


def _period(metric: MetricStat | None, period: int) -> MetricStat | None:
    return dataclasses.replace(metric, period=period) if metric else None


def _band_width(query: Query, band_id: str, stddevs: float) -> Query:
    if query.id != band_id or not query.expression:
        return query
    expression = re.sub(r"(ANOMALY_DETECTION_BAND\(\s*[^,()]+)(?:,[^()]*)?\)", rf"\1, {stddevs:g})", query.expression)
    return dataclasses.replace(query, expression=expression)


def _subscriptions(topo: Topology, spec: Any) -> list[Subscription]:
    if not isinstance(spec, dict) or not {"topic", "protocol", "endpoint"} <= set(spec):
        raise InputError("scenario subscriptions: each needs topic (name, ARN or glob), protocol and endpoint")
    topics = [t for t in topo.topics.values() if glob(str(spec["topic"]), t.name) or glob(str(spec["topic"]), t.arn)]
    if not topics:
        raise InputError(
            f"scenario subscriptions: topic {spec['topic']!r} matches no topic of the plan "
            f"({', '.join(sorted(t.name for t in topo.topics.values()))})"
        )
    policy = spec.get("filter_policy")
    if isinstance(policy, str):
        policy = json.loads(policy)
    return [
        Subscription(
            topic_arn=t.arn,
            protocol=str(spec["protocol"]),
            endpoint=str(spec["endpoint"]),
            filter_policy=policy,
            filter_policy_scope=spec.get("filter_policy_scope", "MessageAttributes"),
            raw_message_delivery=bool(spec.get("raw_message_delivery", False)),
            address="scenario",
        )
        for t in topics
    ]
