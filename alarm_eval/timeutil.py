"""Times are integer or float seconds since the epoch (UTC); durations are seconds.

Scenario times are written as offsets from the scenario start (``90s``, ``5m``, ``1h30m``, ``2d``, ``1w``) or as
ISO 8601 instants (``2026-01-01T00:05:00Z``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from alarm_eval.errors import InputError

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(value: object, what: str = "duration") -> float:
    """``"1h30m"`` -> 5400; a bare number is seconds."""
    if isinstance(value, bool):
        raise InputError(f"{what}: expected a duration like 90s, 5m, 1h30m, 2d; got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    negative = text.startswith("-")
    body = text[1:] if negative or text.startswith("+") else text
    if not body:
        raise InputError(f"{what}: expected a duration like 90s, 5m, 1h30m, 2d; got {value!r}")
    try:
        return float(text)
    except ValueError:
        pass
    total, pos = 0.0, 0
    for match in _PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(body):
        raise InputError(f"{what}: expected a duration like 90s, 5m, 1h30m, 2d; got {value!r}")
    return -total if negative else total


def parse_iso(value: str, what: str = "time") -> float:
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):  # CloudWatch's +0000
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{what}: not an ISO 8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_instant(value: object, start: float, what: str = "time") -> float:
    """An ISO instant, a datetime (YAML parses bare timestamps), or an offset from ``start``."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        return parse_iso(value, what)
    return start + parse_duration(value, what)


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def cloudwatch_time(t: float) -> str:
    """``2026-01-01T00:05:00.000+0000``: how CloudWatch writes StateChangeTime."""
    moment = _utc(t)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def iso_z(t: float) -> str:
    """``2026-01-01T00:05:00.000Z``: SNS and EventBridge timestamps."""
    moment = _utc(t)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_time(t: float) -> str:
    """``2026-01-01T00:05:00Z``: the ``time`` field of an EventBridge event."""
    return _utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def reason_time(t: float) -> str:
    """``01/01/26 00:05:00``: how a state reason lists its datapoints."""
    return _utc(t).strftime("%d/%m/%y %H:%M:%S")


def format_offset(seconds: float) -> str:
    """5400 -> ``+1h30m``; what the reports print next to each time."""
    sign = "-" if seconds < 0 else "+"
    rest = int(round(abs(seconds)))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return sign + ("".join(parts) or "0s")
