"""What a scenario run produced: the transitions of each alarm, the notifications, and their deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field

from alarm_eval.model import Topology
from alarm_eval.sns import Delivery, Notification


@dataclass
class Transition:
    time: float
    alarm: str
    kind: str  # "metric" or "composite"
    old: str
    new: str
    reason: str
    approximate: bool = False
    actions_suppressed_by: str | None = None  # composite action suppression: Alarm, WaitPeriod, ExtensionPeriod


@dataclass
class Check:
    description: str
    passed: bool
    detail: str = ""


@dataclass
class Result:
    scenario: str
    path: str | None
    start: float
    apply_at: float
    end: float
    topology: Topology
    alarms: list[str]  # the alarms simulated
    transitions: list[Transition] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    other_actions: list[tuple[float, str, str]] = field(default_factory=list)  # (time, alarm, action ARN)
    rule_matches: list[tuple[float, str]] = field(default_factory=list)  # (time, EventBridge rule) per matched event
    evaluations: dict[str, int] = field(default_factory=dict)  # alarm -> evaluations run
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def approximate(self) -> bool:
        return any(t.approximate for t in self.transitions)

    def transitions_of(self, alarm: str) -> list[Transition]:
        return [t for t in self.transitions if t.alarm == alarm]
