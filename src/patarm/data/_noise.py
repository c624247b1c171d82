"""Label noise for the robustness study: swap chosen and rejected on a seeded share of pairs.

Exactly ``round(fraction * n)`` pairs are flipped (Python's ``round``: halves go to the even
number), chosen by a seeded shuffle, so the same seed and the same pairs give the same flips.
The flipped ids are the record: :func:`apply_flips` with that record undoes a flip.

In files, each noised row records its rounds: ``flip_rounds`` lists, round by round, whether
that round swapped the pair, and ``flipped`` says whether its labels now differ from the
original (an odd number of swaps). :func:`noise_rounds` reads the record (a ``flipped``
field alone counts as one round), so rounds can be stacked and peeled one at a time without
losing any.

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
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from typing import Any

from patarm.errors import ConfigError
from patarm.types import PreferencePair, RowError

__all__ = ["NOISE_FIELDS", "add_noise", "apply_flips", "flip_count", "flip_indices", "noise_rounds", "record_rounds"]

NOISE_FIELDS = ("flipped", "flip_rounds")


def flip_count(n: int, fraction: float) -> int:
    """How many of ``n`` pairs a ``fraction`` flips: ``round(fraction * n)``."""
    if not 0.0 <= fraction <= 1.0:
        raise ConfigError(f"flip fraction must be within [0, 1], got {fraction}")
    if n < 0:
        raise ConfigError(f"n must be >= 0, got {n}")
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
        raise ConfigError("pair ids must be unique: the flip record is a list of ids")
    flipped = [ids[i] for i in flip_indices(len(pairs), fraction, seed)]
    return apply_flips(pairs, flipped), flipped


def noise_rounds(row: Mapping[str, Any], index: int | str | None = None) -> list[bool]:
    """The label-noise rounds recorded on ``row``, oldest first: its ``flip_rounds``; else a
    boolean ``flipped`` alone (one round); else none. A record that is neither is a
    :class:`~patarm.types.RowError` naming row ``index``.

    >>> noise_rounds({"flip_rounds": [True, False]}), noise_rounds({"flipped": True}), noise_rounds({})
    ([True, False], [True], [])
    """
    rounds = row.get("flip_rounds")
    flipped = row.get("flipped")
    if rounds is None:
        if flipped is None:
            return []
        if not isinstance(flipped, bool):
            raise RowError(index, "flipped", "true or false (whether label noise swapped this pair)", flipped)
        return [flipped]
    if not isinstance(rounds, list) or not all(isinstance(r, bool) for r in rounds):
        raise RowError(index, "flip_rounds", "a list of true/false, one per label-noise round", rounds)
    if flipped is not None and flipped != (sum(rounds) % 2 == 1):
        expected = f"{sum(rounds) % 2 == 1} (an odd number of swaps in 'flip_rounds')"
        raise RowError(index, "flipped", expected, flipped)
    return list(rounds)


def record_rounds(row: MutableMapping[str, Any], rounds: Sequence[bool]) -> None:
    """Write ``rounds`` onto ``row`` (``flipped``: their parity, ``flip_rounds``: the list), or
    remove both fields when no round is left, so the row is as it was before any noise."""
    for name in NOISE_FIELDS:
        row.pop(name, None)
    if rounds:
        row["flipped"] = sum(rounds) % 2 == 1
        row["flip_rounds"] = list(rounds)
