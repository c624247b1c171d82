"""Figures with their sample size and a seeded confidence interval.

Every figure of an audit is a :class:`Figure`: the value, ``n`` (what it was computed over)
and a 95% interval, with the method named. Rates use the Wilson score interval (exact
enough for small n, never outside [0, 1]); means, differences and correlations use a
percentile bootstrap over the units (pairs or responses) with a fixed seed, so the same
audit gives the same intervals.

>>> wilson(45, 50).method, round(wilson(45, 50).low, 3)
('wilson', 0.786)
>>> Figure.empty().as_dict()["value"] is None
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BOOTSTRAP_RESAMPLES", "Figure", "bootstrap", "mean", "percentile", "spearman", "wilson"]

BOOTSTRAP_RESAMPLES = 1000
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Figure:
    """A measured value, the number of units behind it and its 95% interval."""

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    method: str = "none"

    @classmethod
    def empty(cls, n: int = 0) -> Figure:
        """Nothing to measure (n units, none usable)."""
        return cls(None, n)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n, "low": self.low, "high": self.high, "ci": self.method}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        return cls(data.get("value"), int(data.get("n", 0)), data.get("low"), data.get("high"), data.get("ci", "none"))


def wilson(successes: int, n: int) -> Figure:
    """A rate with its Wilson score interval (95%)."""
    if n <= 0:
        return Figure.empty()
    p = successes / n
    z2 = _Z95 * _Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Figure(p, n, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)), "wilson")  # no rounding drift


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def normal_mean(values: Sequence[float]) -> Figure:
    """The mean of per-unit rates in [0, 1] with a normal-approximation interval (95%), clipped
    to [0, 1]; no value for no units.

    >>> normal_mean([1.0, 0.0, 0.5, 0.5]).value
    0.5
    """
    n = len(values)
    if n == 0:
        return Figure.empty()
    centre = math.fsum(values) / n
    var = math.fsum((v - centre) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    half = _Z95 * math.sqrt(var / n)
    return Figure(centre, n, max(0.0, centre - half), min(1.0, centre + half), "normal")


def bootstrap(
    units: Sequence[Any], stat: Callable[[Sequence[Any]], float | None], *, seed: int = 0, resamples: int | None = None
) -> Figure:
    """``stat`` over ``units`` with a percentile bootstrap interval (95%, seeded)."""
    value = stat(units) if units else None
    if value is None:
        return Figure.empty(len(units))
    rng = random.Random(seed)
    count = len(units)
    draws = []
    for _ in range(resamples or BOOTSTRAP_RESAMPLES):
        got = stat([units[rng.randrange(count)] for _ in range(count)])
        if got is not None and not math.isnan(got):
            draws.append(got)
    if not draws:
        return Figure(value, count)
    draws.sort()
    low = draws[int(0.025 * (len(draws) - 1))]
    high = draws[math.ceil(0.975 * (len(draws) - 1))]
    return Figure(value, count, low, high, "bootstrap")


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(points: Sequence[tuple[float, float]]) -> float | None:
    """Spearman's rank correlation of (x, y) points; None when either side is constant."""
    if len(points) < 3:
        return None
    rx = _ranks([p[0] for p in points])
    ry = _ranks([p[1] for p in points])
    mx, my = mean(rx), mean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile (0-100) of ``values``; None when empty.

    >>> percentile([3.0, 1.0, 2.0, 4.0], 50), percentile([3.0, 1.0, 2.0, 4.0], 99)
    (2.0, 4.0)
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
