"""Checks on what a PAR reward call saw, shared by the TRL runs (transformers and vLLM rollouts)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from patarm.adapters.trl import RewardCall
from patarm.rewards import FormatReward, par_rewards

__all__ = ["check_core_rewards", "check_whole_pairs"]


def check_whole_pairs(call: RewardCall, generations: int) -> set[str]:
    """Every pair id of the call has both roles with all ``generations`` rollouts each."""
    counts = Counter(zip(call.pair_ids, call.roles, strict=True))
    pairs = set(call.pair_ids)
    for pid in pairs:
        for role in ("chosen", "rejected"):
            assert counts[(pid, role)] == generations, (pid, role, counts)
    assert len(call.pair_ids) == 2 * generations * len(pairs)
    return pairs


def check_core_rewards(call: RewardCall, delta: Any, fmt: FormatReward) -> None:
    """The returned rewards equal the core's per-pair PAR + format reward on the recorded scores."""
    expected = [float("nan")] * len(call.scores)
    for pid in set(call.pair_ids):
        sides = {
            role: [i for i, (p, r) in enumerate(zip(call.pair_ids, call.roles, strict=True)) if p == pid and r == role]
            for role in ("chosen", "rejected")
        }
        chosen, rejected = par_rewards(
            [call.scores[i] for i in sides["chosen"]], [call.scores[i] for i in sides["rejected"]], delta
        )
        for role, values in (("chosen", chosen), ("rejected", rejected)):
            for i, value in zip(sides[role], values, strict=True):
                expected[i] = value + fmt(call.scores[i])
    assert call.rewards == expected
