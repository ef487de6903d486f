"""Build a ``Topology`` out of a plan or state document.

A plan does not know the ARNs of resources it creates: an alarm's ``alarm_actions`` that name a topic of the same
plan, a subscription's ``topic_arn``, an EventBridge target's ``arn``. These are resolved by the project's naming
convention (every alarm name, subscription key and target id carries the severity of the topic it notifies:
``...-critical``, ``this["automation-critical"]``, ``notify-critical``): the topic of the plan whose name ends in that
severity, the nearest one in the module tree winning. Every value resolved this way is listed in
``Topology.warnings``, and a state document (after apply) needs none of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from alarm_eval.errors import InputError
from alarm_eval.model import (
    CompositeAlarm,
    EventRule,
    EventTarget,
    InputTransformer,
    MetricAlarm,
    MetricFilter,
    MetricStat,
    Query,
    Subscription,
    Topic,
    Topology,
)
from alarm_eval.plan import PlanDocument, Resource


def build(doc: PlanDocument) -> Topology:
    topo = Topology(account=doc.account, region=doc.region)
    for r in doc.of_type("aws_sns_topic"):
        name = r.get("name") or _index_key(r.address) or r.address
        arn = r.get("arn") or topo.topic_arn(name)
        topo.topics[arn] = Topic(name, arn, r.address)
    resolver = _Resolver(topo)
    for r in doc.of_type("aws_cloudwatch_metric_alarm"):
        alarm = _metric_alarm(r, topo, resolver)
        topo.alarms[alarm.name] = alarm
    for r in doc.of_type("aws_cloudwatch_composite_alarm"):
        composite = _composite(r, topo, resolver)
        topo.composites[composite.name] = composite
    for r in doc.of_type("aws_sns_topic_subscription"):
        sub = _subscription(r, resolver)
        if sub:
            topo.subscriptions.append(sub)
    for r in doc.of_type("aws_cloudwatch_event_rule"):
        rule = _event_rule(r, topo)
        topo.rules[rule.name] = rule
    for r in doc.of_type("aws_cloudwatch_event_target"):
        target = _event_target(r, resolver)
        if target:
            topo.targets.append(target)
    for r in doc.of_type("aws_cloudwatch_log_metric_filter"):
        topo.filters.extend(_metric_filters(r))
    if topo.resolved:
        topo.warnings.append(
            f"{len(topo.resolved)} ARNs unknown until apply were resolved by the severity naming convention "
            "(listed under 'resolved' in the JSON report)"
        )
    return topo


# -- alarms ---------------------------------------------------------------------------------------------------


def _metric_alarm(r: Resource, topo: Topology, resolver: _Resolver) -> MetricAlarm:
    name = _required(r, "alarm_name")
    periods = int(r.get("evaluation_periods", 1))
    metric = None
    if r.get("metric_name"):
        stat = r.get("extended_statistic") or r.get("statistic")
        if not stat:
            raise InputError(f"{r.address}: a metric alarm needs statistic or extended_statistic")
        metric = MetricStat(
            r.get("namespace", ""),
            r.get("metric_name"),
            {str(k): str(v) for k, v in r.get("dimensions", {}).items()},
            stat,
            int(r.get("period", 60)),
            r.get("unit") or None,
        )
    queries = [_query(q, r.address) for q in r.get("metric_query", [])]
    if not metric and not queries:
        raise InputError(f"{r.address}: neither metric_name nor metric_query: nothing to evaluate")
    threshold = r.get("threshold")
    return MetricAlarm(
        name=name,
        arn=r.get("arn") or topo.alarm_arn(name),
        comparison=_required(r, "comparison_operator"),
        evaluation_periods=periods,
        datapoints_to_alarm=int(r.get("datapoints_to_alarm") or periods),
        treat_missing_data=r.get("treat_missing_data") or "missing",
        threshold=None if threshold is None else float(threshold),
        threshold_metric_id=r.get("threshold_metric_id") or None,
        metric=metric,
        queries=queries,
        description=r.get("alarm_description", ""),
        low_sample_percentiles=r.get("evaluate_low_sample_count_percentiles") or "",
        actions_enabled=bool(r.get("actions_enabled", True)),
        alarm_actions=resolver.actions(r, "alarm_actions", name),
        ok_actions=resolver.actions(r, "ok_actions", name),
        insufficient_data_actions=resolver.actions(r, "insufficient_data_actions", name),
        address=r.address,
    )


def _query(q: dict[str, Any], address: str) -> Query:
    metrics = q.get("metric") or []
    metric = None
    if metrics:
        m = metrics[0]
        if not m.get("stat"):
            raise InputError(f"{address}: metric_query {q.get('id')!r} has a metric without stat")
        metric = MetricStat(
            m.get("namespace") or "",
            m.get("metric_name") or "",
            {str(k): str(v) for k, v in (m.get("dimensions") or {}).items()},
            m["stat"],
            int(m.get("period") or 60),
            m.get("unit") or None,
        )
    expression = q.get("expression") or None
    if not metric and not expression:
        raise InputError(f"{address}: metric_query {q.get('id')!r} has neither a metric nor an expression")
    return Query(q["id"], expression, metric, bool(q.get("return_data")), q.get("label") or None)


def _composite(r: Resource, topo: Topology, resolver: _Resolver) -> CompositeAlarm:
    name = _required(r, "alarm_name")
    suppressors = r.get("actions_suppressor", [])
    s = suppressors[0] if suppressors else {}
    return CompositeAlarm(
        name=name,
        arn=r.get("arn") or topo.alarm_arn(name),
        rule=_required(r, "alarm_rule"),
        description=r.get("alarm_description", ""),
        actions_enabled=bool(r.get("actions_enabled", True)),
        alarm_actions=resolver.actions(r, "alarm_actions", name),
        ok_actions=resolver.actions(r, "ok_actions", name),
        insufficient_data_actions=resolver.actions(r, "insufficient_data_actions", name),
        suppressor=s.get("alarm") or None,
        wait_period=int(s.get("wait_period") or 0),
        extension_period=int(s.get("extension_period") or 0),
        address=r.address,
    )


# -- notifications and events -----------------------------------------------------------------------------------


def _subscription(r: Resource, resolver: _Resolver) -> Subscription | None:
    topic_arn = r.get("topic_arn") or resolver.topic_for(r, _index_key(r.address) or "", "topic_arn")
    if not topic_arn:
        return None
    endpoint = r.get("endpoint") or f"(unknown until apply: {r.address})"
    return Subscription(
        topic_arn=topic_arn,
        protocol=r.get("protocol", ""),
        endpoint=endpoint,
        filter_policy=_json_field(r, "filter_policy"),
        filter_policy_scope=r.get("filter_policy_scope") or "MessageAttributes",
        raw_message_delivery=bool(r.get("raw_message_delivery", False)),
        address=r.address,
    )


def _event_rule(r: Resource, topo: Topology) -> EventRule:
    name = _required(r, "name")
    state = r.get("state")
    enabled = state != "DISABLED" if state else bool(r.get("is_enabled", True))
    bus = r.get("event_bus_name") or "default"
    return EventRule(
        name=name,
        arn=r.get("arn") or f"arn:aws:events:{topo.region}:{topo.account}:rule/{name}",
        pattern=_json_field(r, "event_pattern"),
        enabled=enabled,
        event_bus=bus,
        address=r.address,
    )


def _event_target(r: Resource, resolver: _Resolver) -> EventTarget | None:
    target_id = r.get("target_id", "")
    arn = r.get("arn") or resolver.topic_for(r, target_id, "arn", quiet=True)
    if not arn:
        return None  # an unknown non-topic target (a Lambda function): no notification to follow
    transformers = r.get("input_transformer", [])
    transformer = None
    if transformers:
        t = transformers[0]
        transformer = InputTransformer(dict(t.get("input_paths") or {}), t.get("input_template") or "")
    return EventTarget(
        rule=_required(r, "rule"),
        target_id=target_id,
        arn=arn,
        input=r.get("input") or None,
        input_path=r.get("input_path") or None,
        transformer=transformer,
        address=r.address,
    )


def _metric_filters(r: Resource) -> list[MetricFilter]:
    out = []
    for t in r.get("metric_transformation", []):
        default = t.get("default_value")
        out.append(
            MetricFilter(
                name=_required(r, "name"),
                log_group=r.get("log_group_name", ""),
                pattern=r.get("pattern", ""),
                metric_name=t.get("name", ""),
                namespace=t.get("namespace", ""),
                value=str(t.get("value", "1")),
                default_value=None if default in (None, "") else float(default),
                dimensions={str(k): str(v) for k, v in (t.get("dimensions") or {}).items()},
                unit=t.get("unit") or None,
                address=r.address,
            )
        )
    return out


# -- helpers ------------------------------------------------------------------------------------------------------


def _required(r: Resource, key: str) -> Any:
    value = r.get(key)
    if value is None or value == "":
        raise InputError(f"{r.address}: {key} is {'unknown until apply' if r.is_unknown(key) else 'missing'}")
    return value


def _json_field(r: Resource, key: str) -> dict[str, Any] | None:
    text = r.get(key)
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{r.address}: {key} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InputError(f"{r.address}: {key} must be a JSON object")
    return value


_INDEX = re.compile(r'\["([^"]*)"\]$|\[(\d+)\]$')


def _index_key(address: str) -> str | None:
    match = _INDEX.search(address)
    return (match.group(1) or match.group(2)) if match else None


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^A-Za-z0-9]+", text.lower()) if t}


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _Resolver:
    """Resolves ARNs a plan leaves unknown by the severity convention (see the module docstring)."""

    def __init__(self, topo: Topology):
        self.topo = topo

    def _suffix(self, topic: Topic) -> str:
        return re.split(r"[^A-Za-z0-9]+", topic.name.lower())[-1]

    def _candidates(self, hint_tokens: set[str], address: str, name_hint: str) -> list[Topic]:
        topics = [t for t in self.topo.topics.values() if self._suffix(t) in hint_tokens]
        return sorted(
            topics,
            key=lambda t: (-_common_prefix(address, t.address), -_common_prefix(name_hint, t.name), t.name),
        )

    def actions(self, r: Resource, key: str, name: str) -> list[str]:
        values = r.values.get(key)
        unknown = r.unknown.get(key)
        if values and not unknown:
            return list(values)
        if not unknown:
            return list(values or [])
        known = [v for v in (values or []) if v]
        last = re.split(r"[^A-Za-z0-9]+", name.lower())[-1]
        # an alarm whose INSUFFICIENT_DATA goes to another severity says so in its description (job_monitoring's
        # data-freshness: "INSUFFICIENT_DATA notifies the warning topic")
        other = re.search(r"INSUFFICIENT_DATA notifies the (critical|warning|info) topic",
                          str(r.values.get("alarm_description") or ""))
        if key == "insufficient_data_actions" and other:
            last = other.group(1)
        found = self._candidates({last}, r.address, name)
        if not found:
            self.topo.warnings.append(f"{name}: {key} unknown until apply and no topic of the plan ends in -{last}")
            return known
        self.topo.resolved.append(f"{name}: {key} -> {found[0].name}")
        return [*known, found[0].arn]

    def topic_for(self, r: Resource, hint: str, key: str, quiet: bool = False) -> str | None:
        if not r.unknown.get(key):
            return None
        found = self._candidates(_tokens(hint), r.address, hint)
        if not found:
            if not quiet:
                self.topo.warnings.append(
                    f"{r.address}: {key} unknown until apply and {hint!r} names no topic severity: "
                    "declare it in the scenario's subscriptions"
                )
            return None
        self.topo.resolved.append(f"{r.address}: {key} -> {found[0].name}")
        return found[0].arn
