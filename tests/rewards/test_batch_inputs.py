"""par_batch over the input kinds trainers hand it: integer numpy pair ids, numpy score
arrays of any dtype, custom deltas with a vectorised form. Each must give the per-pair PAR."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.rewards import (
    FormatReward,
    constant_delta,
    format_reward,
    graded_delta,
    par_batch,
    par_rewards,
    par_rewards_batch,
    total_rewards,
)

from strategies import maybe_int_score, reference_mean

# pairs: (pair id, chosen scores, rejected scores); ids are distinct non-negative integers
int_pairs = st.lists(
    st.tuples(
        st.integers(0, 2**31 - 1),
        st.lists(maybe_int_score, min_size=1, max_size=4),
        st.lists(maybe_int_score, min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda t: t[0],
)


def _rows(pairs: list, order: list[int]) -> list[tuple[int, str, float | None, int, int]]:
    rows = [
        (pid, role, s, k, i)
        for k, (pid, chosen, rejected) in enumerate(pairs)
        for role, side in (("chosen", chosen), ("rejected", rejected))
        for i, s in enumerate(side)
    ]
    return [rows[i] for i in order] if order else rows


def _expected(pairs: list, rows: list) -> list[float]:
    per_pair = {}
    for k, (_, chosen, rejected) in enumerate(pairs):
        per_pair[(k, "chosen")], per_pair[(k, "rejected")] = par_rewards(chosen, rejected)
    return [per_pair[(k, role)][i] for _, role, _, k, i in rows]


@given(int_pairs, st.booleans(), st.randoms(use_true_random=False), st.sampled_from(["int64", "int32", "uint64"]))
def test_integer_numpy_pair_ids_over_several_pairs(pairs: list, shuffle: bool, rnd, dtype: str) -> None:
    """Adjacent runs, interleaved rows and ids coming back after their run: all per-pair PAR."""
    n = sum(len(c) + len(r) for _, c, r in pairs)
    order = rnd.sample(range(n), n) if shuffle else []
    rows = _rows(pairs, order)
    ids = np.array([pid for pid, *_ in rows], dtype=dtype)
    out = par_batch([s for _, _, s, _, _ in rows], ids, [role for _, role, *_ in rows])
    assert out.par.tolist() == _expected(pairs, rows)
    assert out.stats.num_pairs == len(pairs)
    assert out.stats.num_rollouts == n


def test_integer_ids_that_come_back_after_their_run() -> None:
    ids = np.array([7, 7, 3, 3, 7, 7])
    roles = ["chosen", "rejected", "chosen", "rejected", "chosen", "rejected"]
    out = par_batch([9.0, 1.0, 2.0, 8.0, 9.0, 1.0], ids, roles)
    assert out.par.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert out.stats.num_pairs == 2 and out.stats.pair_accuracy == 0.5


@given(st.lists(st.integers(1, 10), min_size=2, max_size=12), st.sampled_from(["int64", "int8", "uint16", "float32"]))
def test_numpy_score_arrays_of_any_numeric_dtype(values: list[int], dtype: str) -> None:
    roles = ["chosen", "rejected"] * (len(values) // 2)
    values = values[: len(roles)]
    want = par_batch([float(v) for v in values], ["p"] * len(values), roles)
    got = par_batch(np.array(values, dtype=dtype), ["p"] * len(values), roles)
    assert got.total.tolist() == want.total.tolist()
    assert got.total.dtype == np.float64


def test_bool_score_arrays_are_errors_not_zero_and_one() -> None:
    with pytest.raises(ValueError, match=r"scores\[0\]: expected a finite number"):
        par_batch(np.array([True, False]), ["p", "p"], ["chosen", "rejected"])
    with pytest.raises(ValueError, match=r"scores\[1\]: expected a finite number"):
        par_batch([3.0, np.True_], ["p", "p"], [True, False])


def _flat(pairs: list) -> list[tuple[int, str, float | None]]:
    sides = [(k, role, side) for k, (c, r) in enumerate(pairs) for role, side in (("chosen", c), ("rejected", r))]
    return [(k, role, s) for k, role, side in sides for s in side]


class Capped:
    """A custom delta with a working vectorised form: min(margin, cap)."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.calls = 0

    def __call__(self, margin: float) -> float:
        return min(margin, self.cap)

    def vectorized(self, margins: np.ndarray) -> np.ndarray:
        self.calls += 1
        return np.minimum(margins, self.cap)  # its values at non-positive or NaN margins are discarded


@given(
    st.lists(
        st.tuples(st.lists(maybe_int_score, min_size=1, max_size=4), st.lists(maybe_int_score, min_size=1, max_size=4)),
        min_size=1,
        max_size=5,
    ),
    st.floats(0.5, 5),
)
def test_custom_vectorised_delta_gives_the_per_pair_rewards(pairs: list, cap: float) -> None:
    delta = Capped(cap)
    rows = [
        (k, role, s) for k, (c, r) in enumerate(pairs) for role, side in (("chosen", c), ("rejected", r)) for s in side
    ]
    out = par_batch([s for *_, s in rows], [k for k, *_ in rows], [role for _, role, _ in rows], delta)
    assert delta.calls == 1
    want = []
    for c, r in pairs:
        wc, wr = par_rewards(c, r, Capped(cap))
        want += wc + wr
    assert out.par.tolist() == want
    assert out.par.min() >= 0.0
    with_format = total_rewards(pairs[0][0], pairs[0][1], Capped(cap))
    assert out.total.tolist()[: len(pairs[0][0]) + len(pairs[0][1])] == with_format[0] + with_format[1]


def test_vectorised_delta_returning_its_input_does_not_change_the_margins() -> None:
    """A vectorised form that returns the very array it got: rewards still 0.0 off positive margins."""

    class Identity:
        def __call__(self, margin: float) -> float:
            return margin

        def vectorized(self, margins: np.ndarray) -> np.ndarray:
            return margins

    out = par_batch([9.0, 2.0, 4.0, None], ["p"] * 4, ["chosen", "rejected", "rejected", "chosen"], Identity())
    assert out.par.tolist() == [6.0, 7.0, 5.0, 0.0]


def test_vectorised_delta_returning_non_finite_is_an_error() -> None:
    class Inf:
        def __call__(self, margin: float) -> float:
            return 1.0

        def vectorized(self, margins: np.ndarray) -> np.ndarray:
            return np.full(margins.shape, np.inf)

    with pytest.raises(ValueError, match="non-finite reward"):
        par_batch([9.0, 2.0], ["p", "p"], ["chosen", "rejected"], Inf())
    # infinities at non-positive margins are discarded, not reported
    out = par_batch([2.0, 9.0], ["p", "p"], ["chosen", "rejected"], Inf())
    assert out.par.tolist() == [0.0, 0.0]


@given(
    st.lists(
        st.tuples(st.lists(maybe_int_score, min_size=1, max_size=4), st.lists(maybe_int_score, min_size=1, max_size=4)),
        min_size=1,
        max_size=6,
    )
)
def test_mean_par_and_mean_total_are_the_rollout_means(pairs: list) -> None:
    rows = [
        (k, role, s) for k, (c, r) in enumerate(pairs) for role, side in (("chosen", c), ("rejected", r)) for s in side
    ]
    fmt = FormatReward(malformed=-2.0, well_formed=0.25)
    out = par_batch([s for *_, s in rows], [k for k, *_ in rows], [role for _, role, _ in rows], graded_delta(), fmt)
    n = len(rows)
    assert out.stats.mean_par == pytest.approx(sum(out.par.tolist()) / n, abs=1e-12)
    assert out.stats.mean_total == pytest.approx(sum(out.total.tolist()) / n, abs=1e-12)
    assert out.format.tolist() == [fmt(s) for *_, s in rows]
    complete = [(c, r) for c, r in pairs if reference_mean(c) is not None and reference_mean(r) is not None]
    assert out.stats.incomplete_pairs == len(pairs) - len(complete)
    metrics = out.stats.to_metrics()
    assert metrics["par/mean_par"] == out.stats.mean_par and metrics["par/mean_total"] == out.stats.mean_total
    assert ("par/pair_accuracy" in metrics) == bool(complete)


def test_format_reward_function_passes_both_values() -> None:
    assert format_reward(3.0, well_formed=0.5) == 0.5 and format_reward(None, malformed=-2.0) == -2.0
    assert format_reward(float("nan"), -3.0, 0.25) == -3.0 and format_reward(0.0, -3.0, 0.25) == 0.25


def test_par_rewards_batch_passes_allow_missing_side() -> None:
    with pytest.raises(ValueError, match="has no rejected rollout"):
        par_rewards_batch([9.0, 2.0, 5.0], ["p", "p", "q"], ["chosen", "rejected", "chosen"])
    got = par_rewards_batch([9.0, 2.0, 5.0], ["p", "p", "q"], ["chosen", "rejected", "chosen"], allow_missing_side=True)
    assert got.tolist() == [1.0, 1.0, 0.0]


def test_vectorised_delta_returning_ints_gives_float_rewards() -> None:
    class Steps:
        def __call__(self, margin: float) -> float:
            return float(margin > 0)

        def vectorized(self, margins: np.ndarray) -> list[int]:
            return [int(m > 0) for m in margins]

    out = par_batch([9.0, 2.0], ["p", "p"], ["chosen", "rejected"], Steps())
    assert out.par.dtype == np.float64 and out.par.tolist() == [1.0, 1.0]


def test_constant_delta_pays_nothing_at_a_zero_margin() -> None:
    out = par_batch([5.0, 5.0, 7.0, 3.0], ["p", "p", "q", "q"], ["chosen", "rejected"] * 2, constant_delta(2.0))
    assert out.par.tolist() == [0.0, 0.0, 2.0, 2.0]
    assert out.stats.pair_ties == 1 and out.stats.pair_accuracy == 0.5


def test_bad_scores_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"scores\[1\]: expected a finite number or None \(malformed\), got True$"):
        par_batch([3.0, True], ["p", "p"], ["chosen", "rejected"])
    with pytest.raises(ValueError, match=r"^threshold must be finite, got inf$"):
        graded_delta(threshold=math.inf)
