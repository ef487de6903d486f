"""Composite alarm rules ("Create a composite alarm", PutCompositeAlarm's AlarmRule).

``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)`` (x an alarm name or ARN, quoted or not), ``TRUE``, ``FALSE``,
``AND``, ``OR``, ``NOT``, parentheses, and ``AT_LEAST(M, STATE, (x, y, ...))`` with M a count or a percentage
(``50%``) and STATE one of the three states, optionally negated (``NOT OK``). The composite is in ALARM when its rule
is true and in OK otherwise.

Assumption (the docs give no precedence): NOT binds tighter than AND, and AND tighter than OR.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from alarm_eval.decision import STATES
from alarm_eval.parsing import TokenCursor


@dataclass(frozen=True)
class StateIs:
    state: str
    alarm: str  # a name (an ARN is reduced to its name)


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: Rule


@dataclass(frozen=True)
class And:
    left: Rule
    right: Rule


@dataclass(frozen=True)
class Or:
    left: Rule
    right: Rule


@dataclass(frozen=True)
class AtLeast:
    count: float
    percent: bool
    state: str
    negated: bool
    alarms: tuple[str, ...]


Rule = StateIs | Const | Not | And | Or | AtLeast

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\(|\)|,|[^\s(),"]+)')


def alarm_name(reference: str) -> str:
    """``arn:aws:cloudwatch:us-east-1:123456789012:alarm:name`` -> ``name``; a name stays itself."""
    match = re.match(r"^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$", reference)
    return match.group(1) if match else reference


class _Parser(TokenCursor[str]):
    def __init__(self, text: str):
        super().__init__("alarm rule", text, [m.group(1) for m in _TOKEN.finditer(text) if m.group(1)])

    def parse(self) -> Rule:
        rule = self.or_()
        self.done()
        return rule

    def or_(self) -> Rule:
        rule = self.and_()
        while self.peek() == "OR":
            self.pos += 1
            rule = Or(rule, self.and_())
        return rule

    def and_(self) -> Rule:
        rule = self.not_()
        while self.peek() == "AND":
            self.pos += 1
            rule = And(rule, self.not_())
        return rule

    def not_(self) -> Rule:
        if self.peek() == "NOT":
            self.pos += 1
            return Not(self.not_())
        return self.primary()

    def primary(self) -> Rule:
        token = self.take()
        if token == "(":
            rule = self.or_()
            self.take(")")
            return rule
        if token in ("TRUE", "FALSE"):
            return Const(token == "TRUE")
        if token in STATES:
            self.take("(")
            name = self.reference()
            self.take(")")
            return StateIs(token, name)
        if token == "AT_LEAST":
            return self.at_least()
        raise self.fail(f"unexpected {token!r}: expected ALARM(...), OK(...), INSUFFICIENT_DATA(...), AT_LEAST, NOT")

    def reference(self) -> str:
        token = self.take()
        if token in ("(", ")", ","):
            raise self.fail("expected an alarm name or ARN")
        if token.startswith('"'):
            token = token[1:-1].replace('\\"', '"')
        return alarm_name(token)

    def at_least(self) -> Rule:
        self.take("(")
        threshold = self.take()
        percent = threshold.endswith("%")
        try:
            count = float(threshold.rstrip("%"))
        except ValueError as exc:
            raise self.fail(f"AT_LEAST needs a count or a percentage, got {threshold!r}") from exc
        self.take(",")
        negated = self.peek() == "NOT"
        if negated:
            self.pos += 1
        state = self.take()
        if state not in STATES:
            raise self.fail(f"AT_LEAST needs a state (ALARM, OK, INSUFFICIENT_DATA), got {state!r}")
        self.take(",")
        self.take("(")
        alarms = [self.reference()]
        while self.peek() == ",":
            self.pos += 1
            alarms.append(self.reference())
        self.take(")")
        self.take(")")
        return AtLeast(count, percent, state, negated, tuple(alarms))


def parse(text: str) -> Rule:
    return _Parser(text).parse()


def children(rule: Rule) -> list[str]:
    """The alarm names a rule reads, in order of first mention."""
    out: list[str] = []

    def walk(node: Rule) -> None:
        if isinstance(node, StateIs):
            out.append(node.alarm)
        elif isinstance(node, AtLeast):
            out.extend(node.alarms)
        elif isinstance(node, Not):
            walk(node.operand)
        elif isinstance(node, And | Or):
            walk(node.left)
            walk(node.right)

    walk(rule)
    return list(dict.fromkeys(out))


def evaluate(rule: Rule, state_of: Callable[[str], str]) -> bool:
    if isinstance(rule, Const):
        return rule.value
    if isinstance(rule, StateIs):
        return state_of(rule.alarm) == rule.state
    if isinstance(rule, Not):
        return not evaluate(rule.operand, state_of)
    if isinstance(rule, And):
        return evaluate(rule.left, state_of) and evaluate(rule.right, state_of)
    if isinstance(rule, Or):
        return evaluate(rule.left, state_of) or evaluate(rule.right, state_of)
    matching = sum(1 for a in rule.alarms if (state_of(a) == rule.state) != rule.negated)
    needed = math.ceil(rule.count * len(rule.alarms) / 100) if rule.percent else rule.count
    return matching >= needed


def operators(rule: Rule) -> set[str]:
    """Which of AND, OR, NOT, AT_LEAST a rule uses (the kinds classification reads it)."""
    if isinstance(rule, Not):
        return {"NOT"} | operators(rule.operand)
    if isinstance(rule, And | Or):
        return {type(rule).__name__.upper()} | operators(rule.left) | operators(rule.right)
    if isinstance(rule, AtLeast):
        return {"AT_LEAST"}
    return set()
