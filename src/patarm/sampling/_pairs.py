"""The pair toolkit, without torch: reading a row's side, grouping rows into pairs, and the
per-epoch pair order. Every part of patarm that keeps pairs together uses these: the torch
sampler, the batch PAR, the rendezvous and the verl dataset.

>>> pair_rows(["x", "y", "y", "x"], ["chosen", "rejected", "CHOSEN", False])
(['x', 'y'], [(0, 3), (2, 1)])
>>> epoch_pairs(4, epoch=0, seed=0) == epoch_pairs(4, epoch=0, seed=0)
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from patarm.errors import ConfigError
from patarm.types import ROLES, Role

__all__ = ["chosen_mask", "epoch_pairs", "normalize_role", "pair_rows"]


def normalize_role(role: object, where: str = "") -> Role:
    """``'chosen'`` or ``'rejected'`` from those words (any case, surrounding spaces
    ignored) or a bool (True = chosen); anything else is an error naming ``where``."""
    if isinstance(role, (bool, np.bool_)):
        return "chosen" if role else "rejected"
    if isinstance(role, str):
        word = role.strip().lower()
        if word in ROLES:
            return word
    raise ConfigError(f"{where or 'role'}: expected 'chosen' or 'rejected' (or a bool, True = chosen), got {role!r}")


def chosen_mask(roles: Sequence[object] | npt.NDArray[Any], n: int) -> npt.NDArray[np.bool_]:
    """One bool per row, True for the chosen side: :func:`normalize_role` over an array
    (exact lower-case words and bool arrays take a vectorised path)."""
    array = np.asarray(roles)
    if array.shape != (n,):
        raise ConfigError(f"roles: expected {n} entries (one per score), got shape {array.shape}")
    if array.dtype == np.bool_:
        return array
    chosen: npt.NDArray[np.bool_] = array == "chosen"
    if (chosen | (array == "rejected")).all():
        return chosen
    # A list is read as given: np.asarray turns the bools of a list that mixes words and bools into "True".
    items = array.tolist() if isinstance(roles, np.ndarray) else roles
    return np.fromiter((normalize_role(r, f"roles[{i}]") == "chosen" for i, r in enumerate(items)), np.bool_, count=n)


def pair_rows(
    pair_ids: Sequence[Hashable],
    roles: Sequence[object] | None = None,
    sources: Sequence[Hashable] | None = None,
    *,
    drop_incomplete: bool = False,
) -> tuple[list[Hashable], list[tuple[int, int]]]:
    """Group rows into pairs: ``(keys, rows)`` with ``rows[k] = (chosen_row, rejected_row)``
    for pair ``keys[k]``, pairs in first-seen order.

    A pair is keyed by its id, or by ``(source, id)`` when ``sources`` is given (as the
    paper's PairRewardManager keys them). Without ``roles`` the first row of a pair is its
    chosen row. A pair needs exactly one row of each side; more is an error naming the id,
    and so is a pair with one side only, unless ``drop_incomplete`` leaves it out (the
    caller counts it: pairs seen minus pairs returned). No rows at all is an error.
    """
    for name, column in (("roles", roles), ("sources", sources)):
        if column is not None and len(column) != len(pair_ids):
            raise ConfigError(f"{name}: expected {len(pair_ids)} entries (one per row), got {len(column)}")
    if not len(pair_ids):
        raise ConfigError("pair_ids is empty: there are no pairs to group")
    members: dict[Hashable, list[int]] = {}
    for row, pid in enumerate(pair_ids):
        key = pid if sources is None else (sources[row], pid)
        try:
            members.setdefault(key, []).append(row)
        except TypeError:
            raise ConfigError(f"pair_ids[{row}]: expected a hashable id, got {pid!r}") from None
    keys: list[Hashable] = []
    rows: list[tuple[int, int]] = []
    for key, found in members.items():
        pid = key if sources is None else key[1]  # type: ignore[index]
        sides = _sides(pid, found, roles)
        if sides is None:
            if not drop_incomplete:
                raise ConfigError(
                    f"pair id {pid!r} names 1 row(s) ({found[0]}); each pair id must name exactly two rows, "
                    "one chosen and one rejected"
                )
            continue
        keys.append(key)
        rows.append(sides)
    return keys, rows


def _sides(pid: Hashable, found: list[int], roles: Sequence[object] | None) -> tuple[int, int] | None:
    """``(chosen_row, rejected_row)`` of one pair's rows, or None when a side is missing."""
    if roles is None:
        if len(found) > 2:
            listed = ", ".join(map(str, found[:5])) + (", ..." if len(found) > 5 else "")
            raise ConfigError(
                f"pair id {pid!r} names {len(found)} row(s) ({listed}); each pair id must name exactly two rows"
            )
        return (found[0], found[1]) if len(found) == 2 else None
    slots: list[int | None] = [None, None]
    for row in found:
        slot = 0 if normalize_role(roles[row], f"roles[{row}]") == "chosen" else 1
        if slots[slot] is not None:
            raise ConfigError(
                f"pair id {pid!r}: both rows ({slots[slot]}, {row}) are {ROLES[slot]}; "
                "each pair needs exactly one row per side"
            )
        slots[slot] = row
    chosen, rejected = slots
    return None if chosen is None or rejected is None else (chosen, rejected)


def epoch_pairs(
    num_pairs: int,
    *,
    epoch: int,
    shuffle: bool = True,
    seed: int = 0,
    num_replicas: int = 1,
    rank: int = 0,
    drop_last: bool = False,
) -> list[int]:
    """Positions of the pairs that ``rank`` visits in ``epoch``, in order.

    The order is a permutation of pairs drawn from ``(seed, epoch)`` alone (numpy's
    ``default_rng(SeedSequence([seed, epoch]))``). Ranks take interleaved slices of it, as
    torch's DistributedSampler does: with ``drop_last`` the tail that does not divide
    evenly is dropped, otherwise pairs from the front are repeated to pad, so every rank
    gets the same number of pairs.
    """
    if num_pairs < 0:
        raise ConfigError(f"num_pairs must be >= 0, got {num_pairs}")
    if num_replicas < 1:
        raise ConfigError(f"num_replicas must be >= 1, got {num_replicas}")
    if not 0 <= rank < num_replicas:
        raise ConfigError(f"rank must be in [0, {num_replicas - 1}], got {rank}")
    if seed < 0 or epoch < 0:
        raise ConfigError(f"seed and epoch must be >= 0, got seed={seed}, epoch={epoch}")
    if shuffle:
        rng = np.random.default_rng(np.random.SeedSequence([seed, epoch]))
        order: list[int] = rng.permutation(num_pairs).tolist()
    else:
        order = list(range(num_pairs))
    if not order:
        return []
    per_rank = num_pairs // num_replicas if drop_last else math.ceil(num_pairs / num_replicas)
    total = per_rank * num_replicas
    padded = (order * math.ceil(total / num_pairs))[:total]  # the order, repeated to pad, cut to total
    return padded[rank::num_replicas]
