"""95% intervals for the analysis figures: Wilson for a count of successes, a normal
approximation for a mean of per-unit rates (each unit a pair or a row, averaged over draws).

>>> rate_interval(8, 10)["low"] < 0.8 < rate_interval(8, 10)["high"]
True
>>> mean_interval([1.0, 0.0, 0.5, 0.5])["value"]
0.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["Z95", "mean_interval", "rate_interval"]

Z95 = 1.959963984540054


def rate_interval(successes: int, n: int) -> dict[str, Any]:
    """``successes / n`` with its Wilson score interval (95%); value None when ``n`` is 0."""
    if n <= 0:
        return {"value": None, "n": 0, "low": None, "high": None, "ci": "wilson"}
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low, high = min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))
    return {"value": p, "n": n, "low": low, "high": high, "ci": "wilson"}


def mean_interval(values: Sequence[float]) -> dict[str, Any]:
    """The mean of per-unit rates in [0, 1] with a normal-approximation interval (95%),
    clipped to [0, 1]; value None for no units."""
    n = len(values)
    if n == 0:
        return {"value": None, "n": 0, "low": None, "high": None, "ci": "normal"}
    centre = math.fsum(values) / n
    var = math.fsum((v - centre) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    half = Z95 * math.sqrt(var / n)
    return {"value": centre, "n": n, "low": max(0.0, centre - half), "high": min(1.0, centre + half), "ci": "normal"}
