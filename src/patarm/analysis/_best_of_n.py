"""Best-of-N: how often the candidate a judge scores highest is a correct one, against picking
at random and against an oracle, for subsets of N' = 1..N candidates per prompt.

For each prompt and N', ``draws`` random N'-subsets of its candidates are taken (seeded). In
each, the judge picks the top-scored candidate; a failed judgment (None) ranks below every
scored one; a tie for the top is broken by a seeded random choice and counted. ``expected``
resolves ties in expectation instead (the share of correct candidates among the tied top), so
it has no tie-breaking noise. ``random`` is the share of correct candidates in the subset,
``oracle`` whether the subset holds a correct one.

>>> rows = [([9.0, 2.0, 5.0], [True, False, False]), ([1.0, 8.0, 8.0], [True, False, False])]
>>> full = best_of_n_curve(rows, draws=4, seed=0)[-1]  # N' = 3: every candidate
>>> [round(full[name]["value"], 2) for name in ("judge", "random", "oracle")], full["ties"]
([0.5, 0.33, 1.0], 4)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from patarm._stats import normal_mean
from patarm.errors import ConfigError

__all__ = ["Pick", "best_of_n_curve", "pick"]

Row = tuple[Sequence[float | None], Sequence[bool]]


@dataclass(frozen=True)
class Pick:
    """The judge's choice in one subset: the picked index, whether it is correct, the expected
    correctness over the tied top, and whether a tie had to be broken."""

    index: int
    correct: bool
    expected: float
    tied: bool


def pick(scores: Sequence[float | None], correct: Sequence[bool], subset: Sequence[int], rng: random.Random) -> Pick:
    """The top-scored candidate of ``subset`` (None scores rank last; ties by ``rng``)."""
    if not subset:
        raise ConfigError("an empty subset has no candidate to pick")
    keyed = [(-math.inf if scores[i] is None else float(scores[i]), i) for i in subset]  # type: ignore[arg-type]
    top = max(value for value, _ in keyed)
    tied = [i for value, i in keyed if value == top]
    chosen = tied[0] if len(tied) == 1 else rng.choice(tied)
    expected = sum(bool(correct[i]) for i in tied) / len(tied)
    return Pick(chosen, bool(correct[chosen]), expected, len(tied) > 1)


def _check(rows: Sequence[Row]) -> int:
    if not rows:
        raise ConfigError("no rows to analyse")
    for i, (scores, correct) in enumerate(rows):
        if len(scores) != len(correct) or not scores:
            raise ConfigError(f"row {i}: expected one score per candidate, got {len(scores)} and {len(correct)}")
    return min(len(scores) for scores, _ in rows)


def best_of_n_curve(rows: Sequence[Row], *, draws: int = 20, seed: int = 0) -> list[dict[str, Any]]:
    """One point per N' = 1..N (N: the fewest candidates any row has): ``judge`` (seeded tie
    breaks), ``expected`` (ties in expectation), ``random`` and ``oracle``, each the mean over
    rows of the per-row rate over ``draws`` subsets, with a 95% interval; ``ties``: the picks
    that broke a tie, of ``picks``."""
    n = _check(rows)
    if draws < 1:
        raise ConfigError(f"draws: expected at least 1, got {draws}")
    points = []
    for size in range(1, n + 1):
        rng = random.Random(f"best-of-n/{seed}/{size}")
        per_row: dict[str, list[float]] = {"judge": [], "expected": [], "random": [], "oracle": []}
        ties = 0
        for scores, correct in rows:
            sums = dict.fromkeys(per_row, 0.0)
            for _ in range(draws):
                subset = rng.sample(range(len(scores)), size)
                chosen = pick(scores, correct, subset, rng)
                ties += chosen.tied
                sums["judge"] += chosen.correct
                sums["expected"] += chosen.expected
                sums["random"] += sum(bool(correct[i]) for i in subset) / size
                sums["oracle"] += any(correct[i] for i in subset)
            for name, total in sums.items():
                per_row[name].append(total / draws)
        point: dict[str, Any] = {"n": size, **{name: normal_mean(v).as_dict() for name, v in per_row.items()}}
        point.update(ties=ties, picks=len(rows) * draws)
        points.append(point)
    return points
