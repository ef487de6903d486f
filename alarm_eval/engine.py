"""The simulation: alarms created at ``apply_at`` in INSUFFICIENT_DATA, evaluated on CloudWatch's schedule until the
scenario ends, composites re-evaluated whenever a child changes state, and every state change's actions published.

Schedule ("Evaluating an alarm"; "High-resolution alarms"): an alarm with a period of a minute or more is evaluated
every minute, one with a 10, 20 or 30 second period every 10 seconds, at whole minutes (10 s) of the clock plus the
scenario's ``evaluation_offset``. An evaluation is skipped when it cannot differ from the previous one: the result
depends only on where each datapoint falls in the evaluation range (and in the anomaly band's training window), so
only the first tick after each datapoint enters, moves to the next period or leaves the range is evaluated (plus
the first tick after creation). This is what makes 30-day replays cheap; the results are the same as evaluating
every tick.

Assumption: a composite alarm is evaluated only when one of its children changes state (as the brief of this tool
and LocalStack do): a new composite stays in INSUFFICIENT_DATA until then. Its state is then ALARM when its rule is
true and OK otherwise.
"""

from __future__ import annotations

import heapq
import json
import math

from alarm_eval import composite, expectations, messages, sns
from alarm_eval.decision import ALARM, INSUFFICIENT_DATA, OK
from alarm_eval.ingest import Ingested, ingest
from alarm_eval.metric_alarm import MetricAlarmEvaluator
from alarm_eval.model import CompositeAlarm, MetricAlarm, Topology
from alarm_eval.prepare import prepare
from alarm_eval.results import Result, Transition
from alarm_eval.scenario import Scenario
from alarm_eval.suppression import Suppression
from alarm_eval.timeutil import cloudwatch_time

_TIMER, _EVAL = 0, 1


def run(topo: Topology, scenario: Scenario, every_tick: bool = False) -> Result:
    """``every_tick`` evaluates at every tick instead of only where a result can change (the tests compare both)."""
    prepared, warnings = prepare(topo, scenario)
    data = ingest(prepared, scenario)
    result = _Simulation(prepared, scenario, data, warnings, every_tick).run()
    result.rule_matches = list(data.matched_rules)
    result.checks = expectations.check(result, scenario)
    return result


def evaluation_interval(period: int) -> int:
    return 10 if period < 60 else 60


class _Simulation:
    def __init__(self, topo: Topology, scenario: Scenario, data: Ingested, warnings: list[str], every_tick: bool):
        self.every_tick = every_tick
        self.topo = topo
        self.scenario = scenario
        self.data = data
        self.result = Result(
            scenario.name,
            str(scenario.path) if scenario.path else None,
            scenario.start,
            scenario.apply_at,
            scenario.end,
            topo,
            topo.all_alarm_names(),
            warnings=[*topo.warnings, *warnings],
        )
        self.states = {name: INSUFFICIENT_DATA for name in topo.all_alarm_names()}
        self.evaluators = {
            n: MetricAlarmEvaluator(a, data.store, scenario.options.band) for n, a in topo.alarms.items()
        }
        if scenario.options.range_extra is not None:
            for e in self.evaluators.values():
                e.size = e.alarm.evaluation_periods + scenario.options.range_extra
        self.rules = {n: composite.parse(c.rule) for n, c in topo.composites.items()}
        self.parents: dict[str, list[str]] = {}
        self.suppressed: dict[str, list[str]] = {}
        self.suppression: dict[str, Suppression] = {}
        for name, c in sorted(topo.composites.items()):
            for child in composite.children(self.rules[name]):
                self.parents.setdefault(child, []).append(name)
            if c.suppressor:
                self.suppressed.setdefault(composite.alarm_name(c.suppressor), []).append(name)
                self.suppression[name] = Suppression(c.wait_period, c.extension_period)
        self.approximate = {n for n, e in self.evaluators.items() if e.uses_band}
        self._taint_composites()
        self.last_actioned = dict.fromkeys(topo.composites, INSUFFICIENT_DATA)
        self.changed_at = dict.fromkeys(self.states, scenario.apply_at)
        self.dirty: dict[str, str] = {}  # composite -> the child whose change makes it due
        self.heap: list[tuple[float, int, int, str]] = []
        self.sequence = 0

    def _taint_composites(self) -> None:
        changed = True
        while changed:
            changed = False
            for name, rule in self.rules.items():
                if name not in self.approximate and any(c in self.approximate for c in composite.children(rule)):
                    self.approximate.add(name)
                    changed = True

    # -- schedule --------------------------------------------------------------------------------------------------

    def _push(self, t: float, priority: int, name: str) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (t, priority, self.sequence, name))

    def _schedule(self) -> None:
        offset = self.scenario.options.evaluation_offset
        training = self.scenario.options.band.training_seconds
        for name, e in sorted(self.evaluators.items()):
            interval = evaluation_interval(e.alarm.period)

            def tick_after(b: float, interval: int = interval) -> float:
                return offset + interval * (math.floor((b - offset) / interval) + 1)

            first = offset + interval * math.ceil((self.scenario.apply_at - offset) / interval)
            ticks = {first}
            if self.every_tick:
                ticks.update(first + i * interval for i in range(int((self.scenario.end - first) // interval) + 1))
            shifts = [0.0, float(training)] if e.uses_band else [0.0]
            period = e.alarm.period
            for key in e.input_keys:
                for s in self.data.store.times(key):
                    for shift in shifts:
                        for k in range(e.size + 1):
                            ticks.add(tick_after(s + shift + k * period))
            for t in sorted(ticks):
                if first <= t <= self.scenario.end:
                    self._push(t, _EVAL, name)

    def run(self) -> Result:
        self._schedule()
        while self.heap:
            t = self.heap[0][0]
            while self.heap and self.heap[0][0] == t:
                _, priority, _, name = heapq.heappop(self.heap)
                if priority == _TIMER:
                    self._timer(t, name)
                else:
                    self._evaluate(t, name)
            self._settle_composites(t)
        self._publish()
        return self.result

    # -- metric alarms -------------------------------------------------------------------------------------------

    def _evaluate(self, t: float, name: str) -> None:
        evaluation = self.evaluators[name].evaluate(t, self.states[name])
        self.result.evaluations[name] = self.result.evaluations.get(name, 0) + 1
        if evaluation.state and evaluation.state != self.states[name]:
            self._transition(t, name, evaluation.state, evaluation.reason, evaluation.approximate)

    def _transition(
        self, t: float, name: str, new: str, reason: str, approximate: bool, suppressed_by: str | None = None
    ) -> None:
        old = self.states[name]
        self.states[name] = new
        self.changed_at[name] = t
        kind = "composite" if name in self.topo.composites else "metric"
        transition = Transition(t, name, kind, old, new, reason, approximate, suppressed_by)
        self.result.transitions.append(transition)
        if kind == "composite":
            supp = self.suppression.get(name)
            why = supp.on_composite_change(t) if supp else None
            transition.actions_suppressed_by = why
            if why is None:
                self._act(t, self.topo.composites[name], old, new, reason)
            elif supp and supp.next_expiry() is not None:
                self._push(supp.next_expiry(), _TIMER, name)  # type: ignore[arg-type]
        else:
            self._act(t, self.topo.alarms[name], old, new, reason)
        for target in self.suppressed.get(name, []):
            supp = self.suppression[target]
            if supp.on_suppressor_change(t, new == ALARM):
                self._act_deferred(t, target)
            if supp.next_expiry() is not None:
                self._push(supp.next_expiry(), _TIMER, target)  # type: ignore[arg-type]
        for parent in self.parents.get(name, []):
            self.dirty[parent] = name

    # -- composites --------------------------------------------------------------------------------------------

    def _settle_composites(self, t: float) -> None:
        """Composites whose children changed at ``t`` are evaluated once every child evaluated at ``t`` is done (a
        composite's own change marks its parents); a rule cycle stops after as many rounds as there are alarms."""
        for _ in range(len(self.states) + 1):
            if not self.dirty:
                return
            dirty, self.dirty = self.dirty, {}
            for name, trigger in sorted(dirty.items()):
                self._evaluate_composite(t, name, trigger)
        self.result.warnings.append(f"composite rules form a cycle: evaluation stopped at {cloudwatch_time(t)}")
        self.dirty = {}

    def _evaluate_composite(self, t: float, name: str, trigger: str) -> None:
        value = composite.evaluate(self.rules[name], lambda n: self.states.get(n, INSUFFICIENT_DATA))
        new = ALARM if value else OK
        if new == self.states[name]:
            return
        when = cloudwatch_time(self.changed_at[trigger])
        reason = f"{self._arn(trigger)} transitioned to {self.states[trigger]} at {when}"
        self._transition(t, name, new, reason, name in self.approximate)

    def _timer(self, t: float, name: str) -> None:
        supp = self.suppression[name]
        expiry = supp.next_expiry()
        if expiry is not None and expiry <= t and supp.expire(t):
            self._act_deferred(t, name)

    def _act_deferred(self, t: float, name: str) -> None:
        """Suppression has ended with a state change still waiting: the composite takes its current state's actions."""
        last = next(tr for tr in reversed(self.result.transitions) if tr.alarm == name)
        self._act(t, self.topo.composites[name], self.last_actioned[name], self.states[name], last.reason)

    # -- actions -------------------------------------------------------------------------------------------------

    def _act(self, t: float, alarm: MetricAlarm | CompositeAlarm, old: str, new: str, reason: str) -> None:
        if isinstance(alarm, CompositeAlarm):
            self.last_actioned[alarm.name] = new
        if not alarm.actions_enabled:
            return
        actions = {ALARM: alarm.alarm_actions, OK: alarm.ok_actions}.get(new, alarm.insufficient_data_actions)
        triggering = None
        if isinstance(alarm, CompositeAlarm):
            triggering = [
                {
                    "Arn": self._arn(child),
                    "State": {
                        "Value": self.states.get(child, INSUFFICIENT_DATA),
                        "Timestamp": cloudwatch_time(self.changed_at.get(child, t)),
                    },
                }
                for child in composite.children(self.rules[alarm.name])
                if self.states.get(child) == ALARM
            ]
        body = messages.alarm_message(
            alarm, self.topo.account, self.topo.region, old, new, reason, t, self.scenario.apply_at, triggering
        )
        for action in actions:
            if ":sns:" not in action:
                self.result.other_actions.append((t, alarm.name, action))
                continue
            self.result.notifications.append(
                sns.Notification(
                    time=t,
                    topic_arn=action,
                    source="alarm",
                    origin=alarm.name,
                    message=json.dumps(body),
                    subject=messages.subject(new, alarm.name, self.topo.region),
                    state=new,
                    old_state=old,
                    approximate=alarm.name in self.approximate,
                )
            )

    def _arn(self, name: str) -> str:
        found = self.topo.alarms.get(name) or self.topo.composites.get(name)
        return found.arn if found else self.topo.alarm_arn(name)

    def _publish(self) -> None:
        published = sorted([*self.result.notifications, *self.data.notifications], key=lambda n: n.time)
        self.result.notifications = published
        for sequence, notification in enumerate(published):
            self.result.deliveries.extend(sns.publish(notification, self.topo.subscriptions, sequence))
