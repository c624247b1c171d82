"""Pair-preserving index order, without torch: which rows form each pair, and which pairs
each rank visits in an epoch. :class:`~patarm.sampling.PairSampler` wraps this."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["epoch_pairs", "pair_rows"]


def pair_rows(
    pair_ids: Sequence[Hashable], roles: Sequence[str] | Sequence[bool] | None = None
) -> tuple[list[Hashable], list[tuple[int, int]]]:
    """Group rows into pairs: ``(ids, rows)`` with ``rows[k] = (chosen_row, rejected_row)``
    for pair ``ids[k]``, pairs in first-seen order.

    Without ``roles`` the first row of a pair is its chosen row. Every pair id must name
    exactly two rows, one of each role; anything else is an error naming the id.
    """
    if roles is not None and len(roles) != len(pair_ids):
        raise ValueError(f"roles: expected {len(pair_ids)} entries (one per row), got {len(roles)}")
    members: dict[Hashable, list[int]] = {}
    for row, pid in enumerate(pair_ids):
        try:
            members.setdefault(pid, []).append(row)
        except TypeError:
            raise ValueError(f"pair_ids[{row}]: expected a hashable id, got {pid!r}") from None
    if not members:
        raise ValueError("pair_ids is empty: a pair sampler needs at least one pair")
    ids: list[Hashable] = []
    rows: list[tuple[int, int]] = []
    for pid, found in members.items():
        if len(found) != 2:
            raise ValueError(
                f"pair id {pid!r} names {len(found)} row(s) ({', '.join(map(str, found[:5]))}"
                f"{', ...' if len(found) > 5 else ''}); each pair id must name exactly two rows"
            )
        first, second = found
        if roles is not None:
            r1, r2 = (_is_chosen(roles[i], i) for i in found)
            if r1 == r2:
                side = "chosen" if r1 else "rejected"
                raise ValueError(f"pair id {pid!r}: both rows ({first}, {second}) are {side}; need one of each")
            if not r1:
                first, second = second, first
        ids.append(pid)
        rows.append((first, second))
    return ids, rows


def _is_chosen(role: object, row: int) -> bool:
    if isinstance(role, (bool, np.bool_)):
        return bool(role)
    if role == "chosen":
        return True
    if role == "rejected":
        return False
    raise ValueError(f"roles[{row}]: expected 'chosen' or 'rejected' (or a bool, True = chosen), got {role!r}")


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

    The order is a permutation of pairs drawn from ``(seed, epoch)`` alone. Ranks take
    interleaved slices of it, as torch's DistributedSampler does: with ``drop_last`` the
    tail that does not divide evenly is dropped, otherwise pairs from the front are
    repeated to pad, so every rank gets the same number of pairs.
    """
    if num_pairs < 1:
        raise ValueError(f"num_pairs must be >= 1, got {num_pairs}")
    if num_replicas < 1:
        raise ValueError(f"num_replicas must be >= 1, got {num_replicas}")
    if not 0 <= rank < num_replicas:
        raise ValueError(f"rank must be in [0, {num_replicas - 1}], got {rank}")
    if seed < 0 or epoch < 0:
        raise ValueError(f"seed and epoch must be >= 0, got seed={seed}, epoch={epoch}")
    if shuffle:
        rng = np.random.default_rng(np.random.SeedSequence([seed, epoch]))
        order: list[int] = rng.permutation(num_pairs).tolist()
    else:
        order = list(range(num_pairs))
    if drop_last and num_pairs % num_replicas:
        per_rank = num_pairs // num_replicas
    else:
        per_rank = math.ceil(num_pairs / num_replicas)
    total = per_rank * num_replicas
    if total > len(order):
        pad = total - len(order)
        order += (order * math.ceil(pad / len(order)))[:pad]
    return order[:total][rank:total:num_replicas]
