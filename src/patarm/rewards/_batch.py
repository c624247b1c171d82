"""PAR for a whole batch of rollouts at once, vectorised with numpy.

A batch is flat, the way trainers hold it: one score per rollout (NaN or None when
malformed), the pair id of each rollout and its role (``"chosen"`` / ``"rejected"``, or a
bool that is True for chosen). Rollouts of different pairs may be interleaved in any
order. Results are bit-identical to :func:`patarm.rewards.par_rewards` applied pair by pair.

>>> out = par_batch([8, 3, 7, 9], pair_ids=["a", "a", "a", "a"],
...                 roles=["chosen", "rejected", "rejected", "chosen"])
>>> out.par.tolist(), out.stats.pair_accuracy
([1.0, 1.0, 0.5, 1.0], 1.0)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from patarm._scores import ScoreInput, as_score_array
from patarm.errors import InputError
from patarm.rewards._delta import Delta, apply_delta
from patarm.rewards._format import FormatReward
from patarm.rewards._settings import PARSettings
from patarm.sampling import chosen_mask

__all__ = ["PARBatch", "PARStats", "par_batch", "par_rewards_batch", "pair_index"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
RoleInput = Sequence[object] | npt.NDArray[Any]

_DEFAULTS = PARSettings()  # the defaults live on the settings fields
_DEFAULT_DELTA = _DEFAULTS.delta
_DEFAULT_FORMAT = _DEFAULTS.format_reward


@dataclass(frozen=True)
class PARStats:
    """Per-batch figures a trainer logs. A pair is complete when both sides have at least
    one well-formed rollout; accuracy, ties and margin are over complete pairs (None if none).

    Args:
        num_pairs: Distinct pair ids in the batch.
        num_rollouts: Rollouts (scores) in the batch.
        malformed: Rollouts without a score.
        malformed_rate: ``malformed / num_rollouts``; 0.0 for an empty batch.
        incomplete_pairs: Pairs with no well-formed rollout on at least one side (the PAR
            of each of their rollouts is 0.0).
        pair_accuracy: Share of complete pairs whose chosen mean is strictly above their
            rejected mean; None when no pair is complete.
        pair_ties: Complete pairs whose two means are equal.
        mean_margin: Mean of (chosen mean - rejected mean) over complete pairs, in score
            points; None when no pair is complete.
        mean_par: Mean PAR term over all rollouts; 0.0 for an empty batch.
        mean_total: Mean total reward (PAR + format) over all rollouts; 0.0 for an empty batch.
    """

    num_pairs: int
    num_rollouts: int
    malformed: int
    malformed_rate: float
    incomplete_pairs: int
    pair_accuracy: float | None
    pair_ties: int
    mean_margin: float | None
    mean_par: float
    mean_total: float

    def to_metrics(self, prefix: str = "par/") -> dict[str, float]:
        """Flat ``{name: float}`` for a logger; None figures are left out."""
        return {f"{prefix}{k}": float(v) for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class PARBatch:
    """Per-rollout PAR, format and total rewards (input order), plus the batch statistics.

    Args:
        par: PAR term of each rollout (float64, input order).
        format: Format reward of each rollout.
        total: ``par + format``, the training reward.
        stats: The batch figures to log (:class:`PARStats`).
    """

    par: FloatArray
    format: FloatArray
    total: FloatArray
    stats: PARStats


def pair_index(pair_ids: Sequence[Hashable] | npt.NDArray[Any]) -> tuple[IntArray, list[Hashable]]:
    """Map pair ids to dense integers: ``(index_per_row, ids)``.

    Ids come in first-seen order (an integer array whose ids are not each in one run of
    rows gets sorted order). Plain Python
    equality decides identity, so ``1`` and ``"1"`` are different pairs.
    """
    if isinstance(pair_ids, np.ndarray) and pair_ids.dtype.kind in "iu":
        flat = pair_ids.reshape(-1)
        if flat.size:
            # Rows of a pair usually sit together: number the runs, and keep that numbering
            # when no id comes back after its run ends.
            starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
            run_ids = flat[starts]
            ordered = np.sort(run_ids)
            if not (ordered[1:] == ordered[:-1]).any():
                lengths = np.diff(np.append(starts, flat.size))
                return np.repeat(np.arange(starts.size, dtype=np.int64), lengths), run_ids.tolist()
        uniq, inverse = np.unique(flat, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64, copy=False), uniq.tolist()
    seen: dict[Hashable, int] = {}
    index = np.fromiter((seen.setdefault(p, len(seen)) for p in pair_ids), dtype=np.int64)
    return index, list(seen)


def _side_sums(values: FloatArray, valid: npt.NDArray[np.bool_], key: IntArray, num_sides: int) -> FloatArray:
    """Sum of each side's well-formed scores, added in ascending order from 0.0, exactly as
    the per-pair form adds them (so results are bit-identical and order-independent)."""
    if values.size == 0:
        return np.zeros(num_sides)
    if (
        np.array_equal(values, np.rint(values), equal_nan=True)
        and np.nanmax(np.abs(values), initial=0.0) * values.size <= 2.0**53
    ):
        # Integral scores whose every partial sum stays within 2**53 (where float64 holds each
        # integer exactly) add exactly in any order: no sort needed. A malformed rollout adds
        # 0.0, which changes no sum.
        zeroed = np.where(valid, values, 0.0)
        return np.bincount(key, weights=zeroed, minlength=num_sides).astype(np.float64, copy=False)
    order = np.argsort(key, kind="stable")  # linear time when rows already come side by side
    sizes = np.bincount(key, minlength=num_sides)
    width = int(sizes.max())
    if int(sizes.min()) == width:  # every side has the same number of rollouts: a plain reshape
        table = values[order].reshape(num_sides, width)
    elif num_sides * width <= 4 * values.size + 1024:  # pad the shorter sides with NaN
        sorted_keys = key[order]
        starts = np.cumsum(sizes) - sizes
        table = np.full((num_sides, width), np.nan)
        table.reshape(-1)[sorted_keys * width + np.arange(values.size) - starts[sorted_keys]] = values[order]
    else:  # very uneven sides: a padded table would be too big, so sort (side, score) pairs
        kept, kept_keys = values[valid], key[valid]
        order = np.lexsort((kept, kept_keys))
        return np.bincount(kept_keys[order], weights=kept[order], minlength=num_sides).astype(np.float64, copy=False)
    table.sort(axis=1)  # ascending, NaN (malformed and padding) last
    sums = np.zeros(num_sides)
    for column in table.T:  # sequential, column by column, skipping NaN
        np.add(sums, column, out=sums, where=column == column)
    return sums


def par_batch(
    scores: ScoreInput,
    pair_ids: Sequence[Hashable] | npt.NDArray[Any],
    roles: RoleInput,
    delta: Delta = _DEFAULT_DELTA,
    format_reward: FormatReward = _DEFAULT_FORMAT,
    *,
    allow_missing_side: bool = False,
) -> PARBatch:
    """PAR, format and total reward for every rollout of a batch, plus statistics.

    A pair with no rollout at all on one side is an error naming the pair (its two sides
    were split across batches); ``allow_missing_side=True`` scores it 0.0 and counts it as
    incomplete instead.

    Args:
        scores: One score per rollout, flat; None or NaN for a malformed rollout.
        pair_ids: The pair id of each rollout (any hashable; ``1`` and ``"1"`` differ). An
            integer numpy array takes a faster path.
        roles: The side of each rollout: ``"chosen"`` / ``"rejected"`` (any case) or a bool,
            True for chosen.
        delta: Maps a positive margin, in score points, to a reward. Default: the paper's
            graded delta (:class:`~patarm.rewards.PARSettings`' default).
        format_reward: Format reward of each rollout. Default: -1.0 when malformed, 0.0
            otherwise (:class:`~patarm.rewards.PARSettings`' default).
        allow_missing_side: Score a pair with no rollout on one side 0.0 and count it as
            incomplete, instead of raising.

    Returns:
        A :class:`PARBatch`: the PAR, format and total reward of every rollout, in input
        order, and the batch statistics.

    Raises:
        ValueError: ``pair_ids`` or ``roles`` differs in length from ``scores``; a score or
            role is invalid (naming its position); a pair lacks a side and
            ``allow_missing_side`` is False; or ``delta`` returns a non-finite reward.
    """
    values = as_score_array(scores, "scores")
    n = values.size
    if len(pair_ids) != n:
        raise InputError(f"pair_ids: expected {n} entries (one per score), got {len(pair_ids)}")
    chosen = chosen_mask(roles, n)
    group, ids = pair_index(pair_ids)
    num_pairs = len(ids)

    key = 2 * group + (~chosen)  # pair p: chosen side 2p, rejected side 2p + 1
    present = np.bincount(key, minlength=2 * num_pairs)
    if not allow_missing_side and num_pairs and (present == 0).any():
        side_key = int(np.argmax(present == 0))
        missing = "chosen" if side_key % 2 == 0 else "rejected"
        raise InputError(
            f"pair {ids[side_key // 2]!r} has no {missing} rollout in this batch: both sides of a "
            "pair must be scored together (use a pair-preserving sampler, or allow_missing_side=True)"
        )

    valid = ~np.isnan(values)
    sums = _side_sums(values, valid, key, 2 * num_pairs)
    counts = np.bincount(key, weights=valid, minlength=2 * num_pairs)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts  # NaN for a side with no well-formed rollout
    m_c, m_r = means[0::2], means[1::2]

    margin = values - means[key ^ 1]  # the partner side's mean: 2p <-> 2p + 1
    np.negative(margin, out=margin, where=~chosen)  # rejected: m_c - s, exactly -(s - m_c)
    par = apply_delta(delta, margin)  # 0.0 wherever the margin is not positive, or NaN
    fmt = format_reward.vectorized(values)
    total = par + fmt

    complete = ~(np.isnan(m_c) | np.isnan(m_r))
    pair_margin = (m_c - m_r)[complete]
    num_complete = int(complete.sum())
    malformed = int(n - valid.sum())
    stats = PARStats(
        num_pairs=num_pairs,
        num_rollouts=n,
        malformed=malformed,
        malformed_rate=malformed / n if n else 0.0,
        incomplete_pairs=num_pairs - num_complete,
        pair_accuracy=float((pair_margin > 0).mean()) if num_complete else None,
        pair_ties=int((pair_margin == 0).sum()),
        mean_margin=float(pair_margin.mean()) if num_complete else None,
        mean_par=float(par.mean()) if n else 0.0,
        mean_total=float(total.mean()) if n else 0.0,
    )
    return PARBatch(par=par, format=fmt, total=total, stats=stats)


def par_rewards_batch(
    scores: ScoreInput,
    pair_ids: Sequence[Hashable] | npt.NDArray[Any],
    roles: RoleInput,
    delta: Delta = _DEFAULT_DELTA,
    *,
    allow_missing_side: bool = False,
) -> FloatArray:
    """The PAR term only, for every rollout of a batch (see :func:`par_batch`).

    Args:
        scores: One score per rollout, flat; None or NaN for a malformed rollout.
        pair_ids: The pair id of each rollout (any hashable; ``1`` and ``"1"`` differ). An
            integer numpy array takes a faster path.
        roles: The side of each rollout: ``"chosen"`` / ``"rejected"`` (any case) or a bool,
            True for chosen.
        delta: Maps a positive margin, in score points, to a reward. Default: the paper's
            graded delta (:class:`~patarm.rewards.PARSettings`' default).
        allow_missing_side: Score a pair with no rollout on one side 0.0 and count it as
            incomplete, instead of raising.

    Returns:
        The PAR term of every rollout, a float64 array in input order.

    Raises:
        ValueError: ``pair_ids`` or ``roles`` differs in length from ``scores``; a score or
            role is invalid (naming its position); a pair lacks a side and
            ``allow_missing_side`` is False; or ``delta`` returns a non-finite reward.
    """
    return par_batch(scores, pair_ids, roles, delta, allow_missing_side=allow_missing_side).par
