"""CloudWatch statistics over the raw values of one period ("CloudWatch statistics definitions").

Standard: SampleCount, Sum, Average, Minimum, Maximum. Extended: pNN (percentile), tmNN/TM(a:b) (trimmed mean),
tcNN/TC(a:b) (trimmed count), tsNN/TS(a:b) (trimmed sum), wmNN/WM(a:b) (winsorized mean), IQM, PR(a:b) (percentile
rank). Bounds are values, or percentiles when written with ``%``; as the docs say for PR and TM(150:1000), the lower
bound is exclusive and the upper inclusive.

Approximation: CloudWatch computes percentiles from its own compressed distribution; here they are exact, by the
nearest-rank method over the raw values of the period.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from alarm_eval.errors import InputError

STANDARD = {"SampleCount", "Sum", "Average", "Minimum", "Maximum"}
_ALIASES = {"Min": "Minimum", "Max": "Maximum", "Avg": "Average", "Count": "SampleCount"}


@dataclass(frozen=True)
class Statistic:
    text: str
    compute: Callable[[Sequence[float]], float | None]
    percentile: float | None = None  # p95 -> 0.95: the low-sample rule of percentile alarms applies

    def __call__(self, values: Sequence[float]) -> float | None:
        return self.compute(values) if values else None


def percentile_value(ordered: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below it."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _bounds(spec: str, text: str) -> tuple[str | None, str | None]:
    if ":" not in spec:  # tm90 = TM(:90%)
        return None, spec + "%"
    low, high = spec.split(":", 1)
    return (low.strip() or None), (high.strip() or None)


def _resolve(bound: str | None, ordered: Sequence[float], text: str) -> float | None:
    if bound is None:
        return None
    try:
        if bound.endswith("%"):
            return percentile_value(ordered, float(bound[:-1]) / 100)
        return float(bound)
    except ValueError as exc:
        raise InputError(f"statistic {text}: bad bound {bound!r}") from exc


def _window(spec: str, text: str) -> Callable[[Sequence[float]], list[float]]:
    low, high = _bounds(spec, text)

    def select(values: Sequence[float]) -> list[float]:
        ordered = sorted(values)
        lo, hi = _resolve(low, ordered, text), _resolve(high, ordered, text)
        return [v for v in ordered if (lo is None or v > lo) and (hi is None or v <= hi)]

    return select


def _winsorized(spec: str, text: str) -> Callable[[Sequence[float]], float | None]:
    low, high = _bounds(spec, text)

    def compute(values: Sequence[float]) -> float | None:
        ordered = sorted(values)
        lo, hi = _resolve(low, ordered, text), _resolve(high, ordered, text)
        clipped = [min(max(v, lo if lo is not None else v), hi if hi is not None else v) for v in ordered]
        return sum(clipped) / len(clipped)

    return compute


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


_EXTENDED = re.compile(r"^(?P<fn>pr|tm|tc|ts|wm|p)\(?(?P<spec>[^)]*)\)?$", re.IGNORECASE)


@lru_cache(maxsize=256)
def parse(text: str) -> Statistic:
    name = _ALIASES.get(text, text)
    if name in STANDARD:
        return Statistic(name, _STANDARD_FUNCS[name])
    if name.upper() == "IQM":
        select = _window("25%:75%", text)
        return Statistic(text, lambda v: _mean(select(v)))
    match = _EXTENDED.match(name)
    if not match:
        raise InputError(f"unknown statistic {text!r}: use Sum, Average, Minimum, Maximum, SampleCount, pNN, TM, PR...")
    fn, spec = match.group("fn").lower(), match.group("spec")
    if fn == "p":
        try:
            fraction = float(spec) / 100
        except ValueError as exc:
            raise InputError(f"unknown statistic {text!r}") from exc
        if not 0 <= fraction <= 1:
            raise InputError(f"statistic {text!r}: a percentile is between p0 and p100")
        return Statistic(text, lambda v: float(percentile_value(sorted(v), fraction)), percentile=fraction)
    if fn == "pr":
        if ":" not in spec:
            raise InputError(f"statistic {text!r}: percentile rank needs bounds, e.g. PR(:300) or PR(100:2000)")
        select = _window(spec, text)
        return Statistic(text, lambda v: 100.0 * len(select(v)) / len(v))
    if fn == "wm":
        return Statistic(text, _winsorized(spec, text))
    select = _window(spec, text)
    reducer = {"tm": _mean, "tc": lambda s: float(len(s)), "ts": lambda s: float(sum(s))}[fn]
    return Statistic(text, lambda v: reducer(select(v)))


_STANDARD_FUNCS: dict[str, Callable[[Sequence[float]], float | None]] = {
    "SampleCount": lambda v: float(len(v)),
    "Sum": lambda v: float(sum(v)),
    "Average": lambda v: sum(v) / len(v),
    "Minimum": lambda v: float(min(v)),
    "Maximum": lambda v: float(max(v)),
}


def low_sample_minimum(fraction: float) -> float:
    """ "Percentile-based alarms and low data samples": fewer samples than this in a period is a low sample.

    10/(1-p) for p in [0.5, 1), 10/p for p in (0, 0.5)."""
    if fraction >= 1 or fraction <= 0:
        return 0.0
    return 10 / (1 - fraction) if fraction >= 0.5 else 10 / fraction
