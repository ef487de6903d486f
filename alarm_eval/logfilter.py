"""CloudWatch Logs metric filters: filter pattern syntax and metric transformations ("Filter pattern syntax for
metric filters, subscription filters, filter log events"; "Creating metrics from log events using filters").

Patterns:
- JSON: ``{ $.event = "job_failed" }``; selectors ``$.a.b``, ``$.a[0]``; ``=``/``!=`` with strings (quoted, or bare
  when alphanumeric; ``*`` is a wildcard) or ``%regex%``; numeric ``= != < > <= >=``; ``IS NULL``, ``IS TRUE``,
  ``IS FALSE``, ``EXISTS``, ``NOT EXISTS``; ``&&`` and ``||`` (``&&`` first) and parentheses. A selector that
  points at an object or an array never matches a comparison.
- Terms: ``ERROR`` (substring, case-sensitive), ``"a phrase"``, all terms must appear, ``-term`` excludes,
  ``?a ?b`` matches either; the empty pattern matches every event.
- Space-delimited: ``[ip, user, ..., status=4*, bytes>1000]``; fields are space separated, ``"..."`` and ``[...]``
  are one field each, ``...`` skips any number of fields, conditions may be joined with ``&&`` or ``||``.

Transformations: ``value`` is a number, ``$.selector`` (JSON) or ``$name`` (space-delimited field); dimensions
take selectors too. "If logs are ingested during a one-minute time period but no matches are found, the value
specified for Default Value is reported" - once per log event of that minute, as the docs' example shows.
Assumption: an event whose value or a dimension selector is missing (or not numeric for the value) gives no
datapoint.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alarm_eval.errors import InputError
from alarm_eval.jsonpath import MISSING as _MISSING
from alarm_eval.jsonpath import select
from alarm_eval.model import MetricFilter, MetricKey, metric_key
from alarm_eval.parsing import TokenCursor

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Match:
    document: Any = None  # the parsed JSON event
    fields: dict[str, str] | None = None  # the named fields of a space-delimited event


def _wild(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in text.split("*")), re.DOTALL)


def _compare(op: str, literal: tuple[str, str], node: Any) -> bool:
    """One comparison of a JSON value node (or a space-delimited field, as a string) with a pattern literal."""
    kind, text = literal
    if node is _MISSING or node is None or isinstance(node, dict | list):
        return False
    if kind == "regex":
        found = isinstance(node, str | int | float) and re.search(text, _as_text(node)) is not None
        return found if op == "=" else (not found if op == "!=" else False)
    if kind == "num" and not isinstance(node, bool):
        number = node if isinstance(node, int | float) else (float(node) if _NUM.match(str(node)) else None)
        if number is not None:
            return _OPS[op](float(number), float(text))
    if op not in ("=", "!="):
        return False
    equal = _wild(text).fullmatch(_as_text(node)) is not None
    return equal if op == "=" else not equal


def _as_text(node: Any) -> str:
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, float) and node.is_integer():
        return str(int(node))
    return str(node)


# -- JSON patterns ---------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|(?P<bool>&&|\|\|)|(?P<op>!=|<=|>=|=|<|>)|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<regex>%(?:[^%\\]|\\.)*%)|(?P<word>[^\s()=!<>&|\"]+))"
)


class _JsonParser(TokenCursor[tuple[str, str]]):
    def __init__(self, text: str):
        body = text.strip()[1:-1]
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(body.rstrip()):
            m = _JSON_TOKEN.match(body, pos)
            if not m or m.end() == pos:
                raise InputError(f"filter pattern {text!r}: unexpected {body[pos:].strip()[:12]!r}")
            tokens.append((m.lastgroup or "", m.group(m.lastgroup or 0)))
            pos = m.end()
        super().__init__("filter pattern", text, tokens)

    def parse(self) -> Callable[[Any], bool]:
        node = self.or_()
        self.done()
        return node

    def or_(self) -> Callable[[Any], bool]:
        parts = [self.and_()]
        while self.peek() == ("bool", "||"):
            self.pos += 1
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda d: any(p(d) for p in parts))

    def and_(self) -> Callable[[Any], bool]:
        parts = [self.primary()]
        while self.peek() == ("bool", "&&"):
            self.pos += 1
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else (lambda d: all(p(d) for p in parts))

    def primary(self) -> Callable[[Any], bool]:
        kind, text = self.take()
        if (kind, text) == ("paren", "("):
            node = self.or_()
            if self.take() != ("paren", ")"):
                raise self.fail("expected )")
            return node
        if kind != "word" or not text.startswith("$"):
            raise self.fail(f"expected a selector like $.field, got {text!r}")
        selector = text
        kind, text = self.take()
        if kind == "word":
            return self.keyword(selector, text)
        if kind != "op":
            raise self.fail(f"expected an operator after {selector}, got {text!r}")
        op = text
        vkind, value = self.take()
        if vkind == "str":
            literal = ("str", json.loads(value))
        elif vkind == "regex":
            literal = ("regex", value[1:-1])
        elif vkind == "word":
            literal = ("num", value) if _NUM.match(value) else ("str", value)
        else:
            raise self.fail(f"expected a value after {selector} {op}")
        if literal[0] == "str" and op not in ("=", "!="):
            raise self.fail(f"{op} compares numbers; {value!r} is not one")
        return lambda d: _compare(op, literal, select(d, selector))

    def keyword(self, selector: str, word: str) -> Callable[[Any], bool]:
        words = [word.upper()]
        if words[0] in ("IS", "NOT"):
            words.append(self.take()[1].upper())
        phrase = " ".join(words)
        tests: dict[str, Callable[[Any], bool]] = {
            "IS NULL": lambda v: v is None,
            "IS TRUE": lambda v: v is True,
            "IS FALSE": lambda v: v is False,
            "EXISTS": lambda v: v is not _MISSING,
            "NOT EXISTS": lambda v: v is _MISSING,
        }
        if phrase not in tests:
            raise self.fail(f"unknown condition {phrase!r} (IS NULL, IS TRUE, IS FALSE, EXISTS, NOT EXISTS)")
        test = tests[phrase]
        return lambda d: test(select(d, selector))


# -- space-delimited patterns ---------------------------------------------------------------------------------

_EVENT_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')
_FIELD_COND = re.compile(r"^\s*([A-Za-z0-9_$]+)\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$")


def _event_fields(message: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _EVENT_FIELD.finditer(message)]


class _SpaceDelimited:
    def __init__(self, text: str):
        self.text = text
        self.fields: list[tuple[str, Callable[[dict[str, str]], bool] | None]] = []
        for raw in (f.strip() for f in text.strip()[1:-1].split(",")):
            if not raw:
                continue
            if raw == "...":
                self.fields.append(("...", None))
                continue
            name = re.match(r"[A-Za-z0-9_$]+", raw)
            if not name:
                raise InputError(f"filter pattern {text!r}: bad field {raw!r}")
            rest = raw[name.end() :].strip()
            self.fields.append((name.group(0), self._conditions(raw) if rest else None))

    def _conditions(self, raw: str) -> Callable[[dict[str, str]], bool]:
        alternatives = []
        for alternative in raw.split("||"):
            tests = []
            for part in alternative.split("&&"):
                m = _FIELD_COND.match(part)
                if not m:
                    raise InputError(f"filter pattern {self.text!r}: bad condition {part.strip()!r}")
                name, op, value = m.groups()
                value = json.loads(value) if value.startswith('"') else value
                literal = ("num", value) if _NUM.match(value) else ("str", value)
                tests.append((name, op, literal))
            alternatives.append(tests)
        return lambda f: any(all(_compare(op, lit, f.get(n, _MISSING)) for n, op, lit in a) for a in alternatives)

    def match(self, message: str) -> Match | None:
        tokens = _event_fields(message)
        captured = self._match(0, 0, tokens, {})
        return Match(fields=captured) if captured is not None else None

    def _match(self, fi: int, ti: int, tokens: list[str], captured: dict[str, str]) -> dict[str, str] | None:
        if fi == len(self.fields):
            return captured if ti == len(tokens) else None
        name, condition = self.fields[fi]
        if name == "...":
            for skip in range(ti, len(tokens) + 1):
                found = self._match(fi + 1, skip, tokens, captured)
                if found is not None:
                    return found
            return None
        if ti >= len(tokens):
            return None
        here = {**captured, name: tokens[ti], f"${ti + 1}": tokens[ti]}
        if condition and not condition(here):
            return None
        return self._match(fi + 1, ti + 1, tokens, here)


# -- term patterns ----------------------------------------------------------------------------------------------

_TERM = re.compile(r'([?-]?)(?:"([^"]*)"|(\S+))')


class _Terms:
    def __init__(self, text: str):
        self.any_of: list[str] = []
        self.all_of: list[str] = []
        self.none_of: list[str] = []
        for m in _TERM.finditer(text):
            prefix, term = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
            {"?": self.any_of, "-": self.none_of, "": self.all_of}[prefix].append(term)

    def match(self, message: str) -> Match | None:
        if self.any_of:
            return Match() if any(t in message for t in self.any_of) else None
        if all(t in message for t in self.all_of) and not any(t in message for t in self.none_of):
            return Match()
        return None


class FilterPattern:
    def __init__(self, text: str):
        self.text = text
        stripped = text.strip()
        self.kind = "json" if stripped.startswith("{") else "space" if stripped.startswith("[") else "terms"
        if self.kind == "json":
            if not stripped.endswith("}"):
                raise InputError(f"filter pattern {text!r}: a JSON pattern ends with }}")
            self._json = _JsonParser(stripped).parse()
        elif self.kind == "space":
            if not stripped.endswith("]"):
                raise InputError(f"filter pattern {text!r}: a space-delimited pattern ends with ]")
            self._space = _SpaceDelimited(stripped)
        else:
            self._terms = _Terms("" if stripped in ('""', "") else stripped)

    def match(self, message: str) -> Match | None:
        if self.kind == "json":
            try:
                document = json.loads(message)
            except json.JSONDecodeError:
                return None
            return Match(document=document) if isinstance(document, dict) and self._json(document) else None
        if self.kind == "space":
            return self._space.match(message)
        return self._terms.match(message)


def _resolve(expression: str, match: Match) -> Any:
    if expression.startswith("$.") or expression == "$":
        return select(match.document, expression) if match.document is not None else _MISSING
    if expression.startswith("$"):
        return (match.fields or {}).get(expression[1:], (match.fields or {}).get(expression, _MISSING))
    return expression


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is _MISSING or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return float(value) if _NUM.match(str(value)) else None


def datapoints(f: MetricFilter, events: list[tuple[float, str]]) -> list[tuple[MetricKey, float, float]]:
    """The metric datapoints a filter makes of log events (time, message), in time order."""
    pattern = FilterPattern(f.pattern)
    out: list[tuple[MetricKey, float, float]] = []
    unmatched_by_minute: dict[int, list[float]] = {}
    matched_minutes: set[int] = set()
    for t, message in events:
        minute = int(t // 60)
        match = pattern.match(message)
        if match is None:
            unmatched_by_minute.setdefault(minute, []).append(t)
            continue
        matched_minutes.add(minute)
        value = _number(_resolve(f.value, match))
        dimensions = {name: _resolve(sel, match) for name, sel in f.dimensions.items()}
        if value is None or any(v is _MISSING or v is None for v in dimensions.values()):
            continue
        out.append((metric_key(f.namespace, f.metric_name, {k: _as_text(v) for k, v in dimensions.items()}), t, value))
    if f.default_value is not None:
        for minute, times in unmatched_by_minute.items():
            if minute not in matched_minutes:
                out.extend((metric_key(f.namespace, f.metric_name, {}), t, f.default_value) for t in times)
    return sorted(out, key=lambda p: p[1])
