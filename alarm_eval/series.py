"""Period-aggregated series on a grid of consecutive periods.

A grid is ``size`` periods of ``period`` seconds; period ``i`` (0 = oldest) covers ``[start + i*period,
start + (i+1)*period)``. A series is sparse: period index -> value; a missing datapoint has no entry.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from alarm_eval.metricstore import MetricStore
from alarm_eval.model import MetricStat
from alarm_eval.statistics import parse as parse_statistic

Series = dict[int, float]


@dataclass(frozen=True)
class Grid:
    start: float
    period: int
    size: int

    @property
    def end(self) -> float:
        return self.start + self.size * self.period

    def bucket_start(self, index: int) -> float:
        return self.start + index * self.period

    def extended(self, more: int) -> Grid:
        """The same grid with ``more`` periods before it."""
        return Grid(self.start - more * self.period, self.period, self.size + more)

    @classmethod
    def ending_at(cls, end: float, period: int, size: int) -> Grid:
        return cls(end - size * period, period, size)


def samples(store: MetricStore, stat: MetricStat, grid: Grid) -> dict[int, list[float]]:
    """The raw values of each period of the grid that has any."""
    times = store.times(stat.key)
    values = store.values(stat.key, grid.start, grid.end)
    first = bisect_left(times, grid.start)
    out: dict[int, list[float]] = {}
    for offset, value in enumerate(values):
        index = int((times[first + offset] - grid.start) // grid.period)
        out.setdefault(index, []).append(value)
    return out


def metric_series(store: MetricStore, stat: MetricStat, grid: Grid) -> tuple[Series, dict[int, int]]:
    """The statistic of each period with data, and each period's sample count."""
    statistic = parse_statistic(stat.stat)
    values: Series = {}
    counts: dict[int, int] = {}
    for index, raw in samples(store, stat, grid).items():
        value = statistic(raw)
        counts[index] = len(raw)
        if value is not None:
            values[index] = value
    return values, counts
