"""An approximation of CloudWatch anomaly detection bands ("CloudWatch anomaly detection").

AWS's model is not public (it learns trends and hourly, daily and weekly patterns from up to two weeks of the
metric). This stands in for it with the simplest documented-in-spirit model: the band of a period is
``mean +/- k * stddev`` of the metric's own datapoints in the training window before that period (by default the two
weeks the docs name), and no band exists until the window holds ``min_points`` datapoints (a new model has no band:
the alarm stays in INSUFFICIENT_DATA). Every result that used a band is reported as approximate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BandSettings:
    training_seconds: int = 14 * 86400
    min_points: int = 12
    min_stddev: float = 0.0  # a floor, so that a perfectly flat history does not flag the smallest change


def band(history: Sequence[float], stddevs: float, settings: BandSettings) -> tuple[float, float] | None:
    """``(lower, upper)``, or None while there is too little history."""
    if len(history) < max(settings.min_points, 1):
        return None
    mean = sum(history) / len(history)
    stddev = math.sqrt(sum((v - mean) ** 2 for v in history) / len(history))
    width = stddevs * max(stddev, settings.min_stddev)
    return mean - width, mean + width
