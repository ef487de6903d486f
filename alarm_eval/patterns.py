"""JSON pattern matching shared by EventBridge event patterns and SNS filter policies.

Both services use the same language ("Amazon EventBridge event patterns", "Amazon SNS subscription filter
policies"): a pattern is an object whose keys must all match (AND), a key's array of conditions matches when any of
them does (OR), nested objects walk into nested fields, and ``$or`` takes alternatives. A condition is an exact value
(string, number, ``null``, boolean) or one of ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``
(values, or a ``prefix``/``suffix``/``wildcard``/``equals-ignore-case`` in it), ``numeric`` (``[">", 0, "<=", 5]``),
``exists``, ``wildcard`` (EventBridge) and ``cidr``. An array in the document matches when any element does. A key
missing from the document matches only ``{"exists": false}``.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import operator
import re
from typing import Any

from alarm_eval.errors import InputError

_MISSING = object()
_NUMERIC = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def matches(pattern: dict[str, Any], document: Any) -> bool:
    if not isinstance(pattern, dict):
        raise InputError(f"pattern must be a JSON object, got {pattern!r}")
    for key, condition in pattern.items():
        if key == "$or":
            if not isinstance(condition, list) or not any(matches(p, document) for p in condition):
                return False
            continue
        value = document.get(key, _MISSING) if isinstance(document, dict) else _MISSING
        if isinstance(condition, dict):
            if not _nested(condition, value):
                return False
        elif isinstance(condition, list):
            if not any(_leaf(c, value) for c in condition):
                return False
        else:
            raise InputError(f"pattern {key!r}: expected an object or an array of conditions, got {condition!r}")
    return True


def _nested(pattern: dict[str, Any], value: Any) -> bool:
    if isinstance(value, list):
        return any(_nested(pattern, v) for v in value)
    if isinstance(value, dict):
        return matches(pattern, value)
    return matches(pattern, {})  # only {"exists": false} below can match an absent object


def _leaf(condition: Any, value: Any) -> bool:
    if isinstance(condition, dict) and "exists" in condition:
        present = value is not _MISSING and not isinstance(value, dict)
        return present == bool(condition["exists"])
    if value is _MISSING:
        return False
    if isinstance(value, list):
        if isinstance(condition, dict) and "anything-but" in condition:
            return all(_scalar(condition, v) for v in value) if value else True
        return any(_scalar(condition, v) for v in value)
    return _scalar(condition, value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _scalar(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return _same(condition, value)
    if len(condition) != 1:
        raise InputError(f"pattern condition {condition!r}: one operator per object")
    ((op, arg),) = condition.items()
    if op == "prefix":
        return _string_test(arg, value, lambda s, a: s.startswith(a), op)
    if op == "suffix":
        return _string_test(arg, value, lambda s, a: s.endswith(a), op)
    if op == "equals-ignore-case":
        return isinstance(value, str) and isinstance(arg, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(value, str) and isinstance(arg, str) and _wildcard(arg).fullmatch(value) is not None
    if op == "anything-but":
        if isinstance(arg, dict):
            return isinstance(value, str) and not _scalar(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_same(x, value) for x in excluded)
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        try:
            return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(arg), strict=False)
        except ValueError:
            return False
    raise InputError(f"pattern condition {condition!r}: unknown operator {op!r}")


def _string_test(arg: Any, value: Any, test: Any, op: str) -> bool:
    if isinstance(arg, dict) and set(arg) == {"equals-ignore-case"}:  # {"prefix": {"equals-ignore-case": "x"}}
        return isinstance(value, str) and test(value.lower(), str(arg["equals-ignore-case"]).lower())
    if not isinstance(arg, str):
        raise InputError(f"pattern {op}: expected a string, got {arg!r}")
    return isinstance(value, str) and test(value, arg)


def _numeric(arg: Any, value: Any) -> bool:
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise InputError(f"pattern numeric: expected [op, n] or [op, n, op, n], got {arg!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    for op, bound in zip(arg[::2], arg[1::2], strict=True):
        if op not in _NUMERIC or isinstance(bound, bool) or not isinstance(bound, int | float):
            raise InputError(f"pattern numeric: bad comparison {op!r} {bound!r}")
        if not _NUMERIC[op](float(value), float(bound)):
            return False
    return True


def _wildcard(text: str) -> re.Pattern[str]:
    parts = re.split(r"(?<!\\)\*", text)
    return re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), re.DOTALL)


def glob(pattern: str, text: str) -> bool:
    """Shell-style name matching (``*``, ``?``, ``[...]``), case-sensitive: how scenarios pick alarms and topics."""
    return fnmatch.fnmatchcase(text, pattern)
