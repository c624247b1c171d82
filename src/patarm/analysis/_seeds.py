"""Mean and standard deviation of a figure over seeds, with each seed's value kept.

>>> summary = seed_summary({0: 0.7, 1: 0.8, 2: 0.9})
>>> round(summary["mean"], 3), round(summary["std"], 3), summary["per_seed"]["1"]
(0.8, 0.1, 0.8)
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Any

from patarm.errors import ConfigError

__all__ = ["seed_summary"]


def seed_summary(values: Mapping[int, float | None]) -> dict[str, Any]:
    """``{"mean", "std", "min", "max", "seeds", "per_seed"}``; ``std`` is the sample standard
    deviation (n - 1), None for one seed; a seed whose value is None (nothing measured) is
    listed and counted in ``missing``, never averaged."""
    if not values:
        raise ConfigError("no seeds to summarise")
    kept = [float(v) for v in values.values() if v is not None]
    for seed, value in values.items():
        if value is not None and not math.isfinite(value):
            raise ConfigError(f"seed {seed}: expected a finite value, got {value!r}")
    return {
        "mean": statistics.fmean(kept) if kept else None,
        "std": statistics.stdev(kept) if len(kept) > 1 else None,
        "min": min(kept) if kept else None,
        "max": max(kept) if kept else None,
        "seeds": len(values),
        "missing": len(values) - len(kept),
        "per_seed": {str(seed): value for seed, value in values.items()},
    }
