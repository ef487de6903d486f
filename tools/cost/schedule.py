"""How often an EventBridge schedule fires in a month: cron(...) and rate(...) expressions."""

from __future__ import annotations

import re

DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def _values(field: str, lo: int, hi: int, names: dict[str, int] | None = None) -> int:
    """How many values of [lo, hi] a cron field matches."""
    if field in ("*", "?"):
        return hi - lo + 1
    found: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/", 1)
            step = int(s)
        if part in ("*", ""):
            a, b = lo, hi
        elif "-" in part:
            a_s, b_s = part.split("-", 1)
            a, b = _num(a_s, names), _num(b_s, names)
        else:
            a = _num(part, names)
            b = hi if "/" in field else a
        found.update(range(a, b + 1, step))
    return len([v for v in found if lo <= v <= hi])


def _num(text: str, names: dict[str, int] | None) -> int:
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    return int(re.sub(r"[^0-9]", "", text) or 0)


def fires_per_month(expression: str, days_per_month: float = 30.4167) -> float | None:
    """Expected firings in an average month; None when the expression is not understood."""
    expr = (expression or "").strip()
    m = re.fullmatch(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)", expr)
    if m:
        n, unit = int(m.group(1)), m.group(2).rstrip("s")
        per_day = {"minute": 1440 / n, "hour": 24 / n, "day": 1 / n}[unit]
        return per_day * days_per_month
    m = re.fullmatch(r"cron\((.+)\)", expr)
    if not m:
        return None
    parts = m.group(1).split()
    if len(parts) != 6:
        return None
    minute, hour, dom, month, dow, _year = parts
    try:
        per_day = _values(minute, 0, 59) * _values(hour, 0, 23)
        month_share = _values(month, 1, 12, MONTHS) / 12
        if dow not in ("*", "?"):
            if "#" in dow or "L" in dow.upper():
                days = 1.0  # the nth or last weekday of the month
            else:
                days = _values(dow, 1, 7, DOW) * days_per_month / 7
        elif dom not in ("*", "?"):
            days = 1.0 if dom.upper() in ("L", "LW") or "W" in dom.upper() else float(_values(dom, 1, 31))
        else:
            days = days_per_month
    except ValueError:
        return None
    return per_day * days * month_share
