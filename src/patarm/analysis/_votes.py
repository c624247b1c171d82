"""Accuracy against the number of votes k, from ONE run of k_max samples per response.

A pair is right at k when the vote (a rule of :mod:`patarm.voting`) over the chosen
response's first k sampled scores is strictly above the vote over the rejected response's
first k; a tie, or a side with no well-formed sample, is wrong (as in ``patarm eval``).
Optionally each k is also averaged over ``draws`` random subsets of k of the k_max samples
(seeded), which removes the luck of which samples came first.

>>> chosen = [[8, 3, 9], [5, 5, 5]]
>>> rejected = [[4, 7, 4], [6, None, 2]]
>>> [p["first"]["value"] for p in votes_curve(chosen, rejected, voting="mean")]
[0.5, 0.0, 1.0]
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from patarm._stats import normal_mean, wilson
from patarm.errors import ConfigError
from patarm.voting import get_voting_rule

__all__ = ["pair_correct", "subset_accuracy", "votes_curve"]

Scores = Sequence[float | None]


def pair_correct(chosen: Scores, rejected: Scores, voting: str = "mean") -> bool:
    """Whether the vote over ``chosen``'s scores is strictly above the vote over ``rejected``'s
    (a tie or a failed side is wrong)."""
    vote = get_voting_rule(voting)
    a, b = vote(chosen), vote(rejected)
    return a is not None and b is not None and a > b


def _check(chosen: Sequence[Scores], rejected: Sequence[Scores]) -> int:
    if len(chosen) != len(rejected):
        raise ConfigError(f"need one rejected score list per pair: {len(chosen)} chosen, {len(rejected)} rejected")
    if not chosen:
        raise ConfigError("no pairs to analyse")
    k_max = len(chosen[0])
    for i, (a, b) in enumerate(zip(chosen, rejected, strict=True)):
        if len(a) != k_max or len(b) != k_max:
            raise ConfigError(f"pair {i}: expected {k_max} samples per side, got {len(a)} and {len(b)}")
    if k_max < 1:
        raise ConfigError("each response needs at least one sample")
    return k_max


def subset_accuracy(
    chosen: Sequence[Scores], rejected: Sequence[Scores], k: int, *, voting: str = "mean", draws: int, seed: int
) -> list[float]:
    """Per pair, the share of ``draws`` random k-subsets of its sample indices (the same
    indices on both sides) on which the pair is right."""
    k_max = _check(chosen, rejected)
    if not 1 <= k <= k_max:
        raise ConfigError(f"k: expected 1 to {k_max}, got {k}")
    rng = random.Random(f"votes/{seed}/{k}")
    out = []
    for a, b in zip(chosen, rejected, strict=True):
        hits = 0
        for _ in range(draws):
            picked = rng.sample(range(k_max), k)
            hits += pair_correct([a[i] for i in picked], [b[i] for i in picked], voting)
        out.append(hits / draws)
    return out


def votes_curve(
    chosen: Sequence[Scores],
    rejected: Sequence[Scores],
    *,
    voting: str = "mean",
    draws: int = 0,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One point per k = 1..k_max: ``{"k", "first": accuracy over the first k samples with its
    Wilson interval, "subsets": mean accuracy over ``draws`` random k-subsets (None without
    draws)}``. ``chosen[i][j]``: the j-th sampled score of pair i's chosen response."""
    k_max = _check(chosen, rejected)
    if draws < 0:
        raise ConfigError(f"draws: expected 0 or more, got {draws}")
    points = []
    for k in range(1, k_max + 1):
        right = sum(pair_correct(a[:k], b[:k], voting) for a, b in zip(chosen, rejected, strict=True))
        subsets = None
        if draws:
            subsets = normal_mean(subset_accuracy(chosen, rejected, k, voting=voting, draws=draws, seed=seed)).as_dict()
        points.append({"k": k, "first": wilson(right, len(chosen)).as_dict(), "subsets": subsets})
    return points
