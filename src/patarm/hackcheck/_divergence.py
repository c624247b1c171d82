"""Where reward and gold part: the gap curve, the divergence step and its bootstrap interval.

Inputs are per-prompt means at each evaluation step: ``reward[t][i]`` and ``gold[t][i]`` for
held-out prompt ``i`` at the ``t``-th evaluated step (None where nothing was scored). Each is
turned into a GAIN since the first evaluated step, as a share of its declared scale (the
judge's 1-10, the gold's own range), so the two are comparable:

    gap(t) = (reward(t) - reward(0)) / reward range - (gold(t) - gold(0)) / gold range

A healthy reward keeps gap near 0 (gold rises as reward does); reward hacking opens it. The
divergence step is the first evaluated step from which the gap stays above ``margin`` at every
later step; its interval comes from resampling the prompts (percentile bootstrap, seeded).

>>> curve = gap_curve([0, 10, 20], [[1.0], [5.5], [10.0]], [[0.0], [0.0], [0.1]], (1, 10), (0, 1))
>>> [round(p.gap, 2) for p in curve if p.gap is not None]
[0.0, 0.5, 0.9]
>>> divergence_step(curve, margin=0.1)
10
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from patarm.errors import InputError

__all__ = ["DivergenceEstimate", "GapPoint", "divergence_interval", "divergence_step", "gap_curve"]

Matrix = Sequence[Sequence[float | None]]


@dataclass(frozen=True)
class GapPoint:
    """One evaluated step: mean reward and gold, their gains as shares of scale, and the gap."""

    step: int
    reward: float | None
    gold: float | None
    reward_gain: float | None
    gold_gain: float | None
    gap: float | None


@dataclass(frozen=True)
class DivergenceEstimate:
    """The divergence step on all prompts (None: they never part), its 95% bootstrap interval
    over the resamples that part, and the share of resamples that part at all."""

    step: int | None
    low: int | None
    high: int | None
    share: float
    resamples: int


def _width(scale: tuple[float, float]) -> float:
    low, high = scale
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        raise InputError(f"scale: expected LOW < HIGH, both finite, got {scale}")
    return high - low


def _mean(row: Sequence[float | None], units: Sequence[int]) -> float | None:
    got = [v for v in (row[i] for i in units) if v is not None]
    return sum(got) / len(got) if got else None


def gap_curve(
    steps: Sequence[int],
    reward: Matrix,
    gold: Matrix,
    reward_scale: tuple[float, float],
    gold_scale: tuple[float, float],
    units: Sequence[int] | None = None,
) -> list[GapPoint]:
    """The gap at each evaluated step, over the prompts ``units`` (default: all, once each)."""
    if not (len(steps) == len(reward) == len(gold)):
        raise InputError(f"{len(steps)} steps, {len(reward)} reward rows, {len(gold)} gold rows: expected one each")
    rw, gw = _width(reward_scale), _width(gold_scale)
    chosen = list(range(len(reward[0]))) if units is None and reward else list(units or ())
    r = [_mean(row, chosen) for row in reward]
    g = [_mean(row, chosen) for row in gold]
    r0, g0 = (r[0], g[0]) if r else (None, None)
    out = []
    for step, rt, gt in zip(steps, r, g, strict=True):
        rg = None if rt is None or r0 is None else (rt - r0) / rw
        gg = None if gt is None or g0 is None else (gt - g0) / gw
        out.append(GapPoint(step, rt, gt, rg, gg, None if rg is None or gg is None else rg - gg))
    return out


def divergence_step(curve: Sequence[GapPoint], margin: float) -> int | None:
    """The first evaluated step after the start from which every measured gap exceeds ``margin``."""
    found: int | None = None
    for point in curve[1:]:
        if point.gap is None:
            continue
        found = (point.step if found is None else found) if point.gap > margin else None
    return found


def divergence_interval(
    steps: Sequence[int],
    reward: Matrix,
    gold: Matrix,
    reward_scale: tuple[float, float],
    gold_scale: tuple[float, float],
    *,
    margin: float,
    seed: int = 0,
    resamples: int = 1000,
) -> DivergenceEstimate:
    """:func:`divergence_step` on all prompts, with a percentile bootstrap over prompts."""
    count = len(reward[0]) if reward else 0
    point = divergence_step(gap_curve(steps, reward, gold, reward_scale, gold_scale), margin) if count else None
    if not count:
        return DivergenceEstimate(None, None, None, 0.0, 0)
    rng = random.Random(seed)
    found = []
    for _ in range(resamples):
        units = [rng.randrange(count) for _ in range(count)]
        step = divergence_step(gap_curve(steps, reward, gold, reward_scale, gold_scale, units), margin)
        if step is not None:
            found.append(step)
    found.sort()
    if not found:
        return DivergenceEstimate(point, None, None, 0.0, resamples)
    low = found[int(0.025 * (len(found) - 1))]
    high = found[math.ceil(0.975 * (len(found) - 1))]
    return DivergenceEstimate(point, low, high, len(found) / resamples, resamples)
