"""Every datapoint the scenario produces, by metric (namespace, name, exact dimension set)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from alarm_eval.model import MetricKey


class MetricStore:
    def __init__(self) -> None:
        self._points: dict[MetricKey, list[tuple[float, float]]] = defaultdict(list)
        self._times: dict[MetricKey, list[float]] = {}
        self._values: dict[MetricKey, list[float]] = {}

    def add(self, key: MetricKey, t: float, value: float) -> None:
        self._points[key].append((float(t), float(value)))
        self._times.pop(key, None)

    def _index(self, key: MetricKey) -> tuple[list[float], list[float]]:
        if key not in self._times:
            points = sorted(self._points.get(key, []), key=lambda p: p[0])
            self._points[key] = points
            self._times[key] = [t for t, _ in points]
            self._values[key] = [v for _, v in points]
        return self._times[key], self._values[key]

    def values(self, key: MetricKey, start: float, end: float) -> list[float]:
        """Values with ``start <= t < end``."""
        times, values = self._index(key)
        return values[bisect_left(times, start) : bisect_left(times, end)]

    def times(self, key: MetricKey) -> list[float]:
        return self._index(key)[0]

    def keys(self) -> list[MetricKey]:
        return list(self._points)

    def count(self) -> int:
        return sum(len(p) for p in self._points.values())
