"""par_batch at the edges of its fast paths: huge integral scores, sides with no rollout at
the end of the batch, very uneven sides, pair ids in a column, and the errors it names."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patarm.rewards import par_batch, par_rewards

from strategies import linear, reference_mean

huge_integral = st.integers(-(2**53), 2**53).map(float)


@given(st.lists(huge_integral, min_size=1, max_size=6), st.lists(huge_integral, min_size=1, max_size=6))
@example([2.0**51] * 4 + [1.0, 1.0], [0.0])  # 2**53 + 1 + 1 in input order loses both ones
@example([2.0**53, 1.0, 1.0], [0.0])
def test_integral_scores_of_any_size_sum_exactly_whatever_the_order(chosen: list[float], rejected: list[float]) -> None:
    # Means add each side's scores in ascending order; integral scores must not change that
    # once their sums pass 2**53, where float64 stops holding every integer.
    for order in (1, -1):
        c, r = chosen[::order], rejected[::order]
        out = par_batch(c + r, [0] * (len(c) + len(r)), ["chosen"] * len(c) + ["rejected"] * len(r), linear)
        assert out.stats.mean_margin == reference_mean(chosen) - reference_mean(rejected)  # type: ignore[operator]
        par_c, par_r = par_rewards(c, r, linear)
        assert out.par.tolist() == par_c + par_r


@pytest.mark.parametrize(
    ("ids", "roles", "message"),
    [
        (["p", "p", "q"], ["chosen", "rejected", "rejected"], "pair 'q' has no chosen rollout"),
        (["q", "p", "p"], ["rejected", "chosen", "rejected"], "pair 'q' has no chosen rollout"),
        (["p", "p", "q"], ["chosen", "rejected", "chosen"], "pair 'q' has no rejected rollout"),
        (["p", "q", "q"], ["chosen", "chosen", "rejected"], "pair 'p' has no rejected rollout"),
    ],
)
def test_a_missing_side_is_named(ids: list[str], roles: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=rf"^{message} in this batch: both sides of a pair must be scored together"):
        par_batch([9.0, 2.0, 5.0], ids, roles)


@pytest.mark.parametrize("scores", [[9.5, 2.5, 5.5], [9.5, 2.5, None], [9.0, 2.0, 5.0]])
def test_a_last_pair_missing_its_rejected_side_scores_zero(scores: list[float | None]) -> None:
    # The last side of the batch has no rollout at all: every per-side array still has one
    # entry per side, on the equal-size, padded and integral paths alike.
    out = par_batch(scores, ["p", "p", "q"], ["chosen", "rejected", "chosen"], allow_missing_side=True)
    assert out.par.tolist() == [1.0, 1.0, 0.0]
    assert out.stats.incomplete_pairs == 1 and out.stats.pair_accuracy == 1.0
    assert out.stats.mean_margin == 7.0


def _uneven(last_rejected: float | None) -> tuple[list[float | None], list[int], list[str]]:
    """One chosen side of 600 rollouts beside 300 one-to-one pairs: too uneven for a table."""
    scores: list[float | None] = [0.5] * 600 + [0.25]
    ids = [0] * 601
    roles = ["chosen"] * 600 + ["rejected"]
    for k in range(1, 301):
        scores += [2.5, 1.5 if k < 300 else last_rejected]
        ids += [k, k]
        roles += ["chosen", "rejected"]
    return scores, ids, roles


def test_very_uneven_sides_with_a_last_side_all_malformed() -> None:
    scores, ids, roles = _uneven(None)
    out = par_batch(scores, ids, roles)
    big_c, big_r = par_rewards([0.5] * 600, [0.25])
    pair_c, pair_r = par_rewards([2.5], [1.5])
    assert out.par.tolist() == big_c + big_r + (pair_c + pair_r) * 299 + [0.0, 0.0]
    assert out.stats.incomplete_pairs == 1 and out.stats.malformed == 1
    assert out.stats.mean_margin == pytest.approx((0.25 + 299 * 1.0) / 300)


def test_very_uneven_sides_need_memory_linear_in_the_batch() -> None:
    # 2 * 3000 sides, the longest of 12000 rollouts: a sides x longest table would take
    # hundreds of megabytes; the batch itself is a few hundred kilobytes.
    scores: list[float | None] = [0.5] * 12000 + [0.25]
    ids = [0] * 12001
    roles = ["chosen"] * 12000 + ["rejected"]
    for k in range(1, 3000):
        scores += [2.5, 1.5]
        ids += [k, k]
        roles += ["chosen", "rejected"]
    values, pair_ids = np.array(scores), np.array(ids)
    tracemalloc.start()
    try:
        out = par_batch(values, pair_ids, roles)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stats.pair_accuracy == 1.0
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@given(st.lists(st.integers(0, 3), min_size=1, max_size=10), st.sampled_from(["int64", "uint8"]))
def test_integer_pair_ids_in_a_column_are_read_as_flat(pairs: list[int], dtype: str) -> None:
    # A trainer's (n, 1) tensor of pair ids: the same batch as the flat ids.
    ids = [p for p in pairs for _ in range(2)]
    scores = [float(3 + p % 2) for p in pairs for _ in range(2)]
    scores = [s + (0.5 if i % 2 == 0 else 0.0) for i, s in enumerate(scores)]
    roles = ["chosen", "rejected"] * len(pairs)
    want = par_batch(scores, ids, roles)
    got = par_batch(scores, np.array(ids, dtype=dtype).reshape(-1, 1), roles)
    assert got.par.tolist() == want.par.tolist()
    assert got.stats == want.stats


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (np.array([1.0, np.inf]), r"scores\[1\]: expected a finite number or None \(malformed\), got inf$"),
        (np.array([-np.inf, 1.0], dtype=np.float32), r"scores\[0\]: .*, got -inf$"),
        ([1.0, math.inf], r"scores\[1\]: .*, got inf$"),
        ([1.0, "7"], r"scores\[1\]: .*, got '7'$"),
    ],
)
def test_a_bad_score_error_shows_the_value(scores: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        par_batch(scores, ["p", "p"], ["chosen", "rejected"])  # type: ignore[arg-type]
