"""Everything a scenario sends, turned into datapoints and notifications before any alarm is evaluated (none of
it depends on an alarm's state): its series, the ``TriggeredRules`` of the EventBridge rules its events match, the
metric-filter datapoints of its log lines, and what the rules' SNS targets publish."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from alarm_eval import eventbridge, logfilter
from alarm_eval.metricstore import MetricStore
from alarm_eval.model import Topology, metric_key
from alarm_eval.scenario import Scenario
from alarm_eval.sns import Notification


@dataclass
class Ingested:
    store: MetricStore
    notifications: list[Notification] = field(default_factory=list)
    matched_rules: list[tuple[float, str]] = field(default_factory=list)  # (time, rule name)


def ingest(topo: Topology, scenario: Scenario) -> Ingested:
    out = Ingested(MetricStore())
    for key, points in scenario.series:
        for t, value in points:
            out.store.add(key, t, value)
    rules = list(topo.rules.values())
    targets_by_rule = defaultdict(list)
    for target in topo.targets:
        targets_by_rule[target.rule].append(target)
    for sequence, bus_event in enumerate(sorted(scenario.bus_events, key=lambda e: e.at)):
        event = eventbridge.normalize(bus_event.event, bus_event.at, topo.account, topo.region, sequence)
        for rule in eventbridge.matching_rules(event, rules, bus_event.bus):
            out.matched_rules.append((bus_event.at, rule.name))
            out.store.add(metric_key("AWS/Events", "TriggeredRules", {"RuleName": rule.name}), bus_event.at, 1.0)
            for target in targets_by_rule[rule.name]:
                if ":sns:" in target.arn:
                    out.notifications.append(
                        Notification(
                            time=bus_event.at,
                            topic_arn=target.arn,
                            source="eventbridge",
                            origin=rule.name,
                            message=eventbridge.target_input(target, event, rule, bus_event.at),
                        )
                    )
    by_group: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for log in sorted(scenario.log_events, key=lambda e: e.at):
        by_group[log.group].append((log.at, log.message))
    for f in topo.filters:
        for key, t, value in logfilter.datapoints(f, by_group.get(f.log_group, [])):
            out.store.add(key, t, value)
    return out
