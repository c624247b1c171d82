"""Label noise for the robustness study: swap chosen and rejected on a seeded share of pairs.

Exactly ``round(fraction * n)`` pairs are flipped (Python's ``round``: halves go to the even
number), chosen by a seeded shuffle, so the same seed and the same pairs give the same flips.
The flipped ids are the record: :func:`apply_flips` with that record undoes a flip.

>>> from patarm.types import PreferencePair
>>> pairs = [PreferencePair(pair_id=str(i), prompt="q", chosen=f"good {i}", rejected=f"bad {i}") for i in range(4)]
>>> noisy, flipped = add_noise(pairs, 0.5, seed=0)
>>> len(flipped), sum(p.chosen.startswith("bad") for p in noisy)
(2, 2)
>>> apply_flips(noisy, flipped) == pairs
True
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from patarm.types import PreferencePair

__all__ = ["add_noise", "apply_flips", "flip_count", "flip_indices"]


def flip_count(n: int, fraction: float) -> int:
    """How many of ``n`` pairs a ``fraction`` flips: ``round(fraction * n)``."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"flip fraction must be within [0, 1], got {fraction}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return round(fraction * n)


def flip_indices(n: int, fraction: float, seed: int) -> list[int]:
    """Sorted indices of the pairs to flip, drawn by ``seed`` alone (memory grows with the
    number of flips, not with ``n``)."""
    return sorted(random.Random(seed).sample(range(n), flip_count(n, fraction)))


def apply_flips(pairs: Sequence[PreferencePair], flipped_ids: Collection[str]) -> list[PreferencePair]:
    """Swap chosen and rejected on the pairs whose id is in ``flipped_ids``; others unchanged."""
    wanted = set(flipped_ids)
    return [
        p.model_copy(update={"chosen": p.rejected, "rejected": p.chosen}) if p.pair_id in wanted else p for p in pairs
    ]


def add_noise(pairs: Sequence[PreferencePair], fraction: float, *, seed: int) -> tuple[list[PreferencePair], list[str]]:
    """Pairs with ``round(fraction * len(pairs))`` of them flipped, and the flipped ids (in input order)."""
    ids = [p.pair_id for p in pairs]
    if len(set(ids)) != len(ids):
        raise ValueError("pair ids must be unique: the flip record is a list of ids")
    flipped = [ids[i] for i in flip_indices(len(pairs), fraction, seed)]
    return apply_flips(pairs, flipped), flipped
