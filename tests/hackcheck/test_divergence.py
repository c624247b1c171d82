"""Where reward and gold part: the gap curve, the divergence step, and its bootstrap interval."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.hackcheck import divergence_interval, divergence_step, gap_curve
from patarm.hackcheck._analysis import standardised_shift

golds = st.lists(st.floats(0, 1), min_size=2, max_size=8)


def _rows(values: list[float], prompts: int = 1) -> list[list[float | None]]:
    return [[v] * prompts for v in values]


@given(golds)
def test_a_reward_that_is_the_gold_on_its_own_scale_never_parts(gold: list[float]) -> None:
    steps = list(range(0, 10 * len(gold), 10))
    reward = [1 + 9 * g for g in gold]
    curve = gap_curve(steps, _rows(reward), _rows(gold), (1, 10), (0, 1))
    assert all(abs(p.gap or 0.0) < 1e-9 for p in curve)
    assert divergence_step(curve, margin=0.1) is None


@given(st.integers(1, 6), st.integers(0, 6), st.floats(0.2, 1.0), st.floats(-5, 5))
def test_a_gap_opening_at_step_k_and_staying_open_is_found_at_k(k: int, after: int, jump: float, offset: float) -> None:
    n = k + 1 + after
    steps = [5 * i for i in range(n)]
    gold = [0.5] * n
    reward = [offset + (jump * 9 if i >= k else 0.0) for i in range(n)]  # the same curve, shifted by offset
    curve = gap_curve(steps, _rows(reward), _rows(gold), (1, 10), (0, 1))
    assert divergence_step(curve, margin=0.1) == steps[k]


def test_a_gap_that_closes_again_is_not_a_divergence() -> None:
    curve = gap_curve([0, 1, 2], _rows([1.0, 10.0, 1.0]), _rows([0.0, 0.0, 0.0]), (1, 10), (0, 1))
    assert divergence_step(curve, margin=0.1) is None


def test_unscored_prompts_are_left_out_of_the_means() -> None:
    curve = gap_curve([0, 1], [[1.0, None], [10.0, 10.0]], [[0.0, 0.0], [None, 0.0]], (1, 10), (0, 1))
    assert curve[0].reward == 1.0 and curve[1].gold == 0.0 and curve[1].gap == pytest.approx(1.0)


@given(st.integers(1, 5), st.integers(2, 6), st.integers(0, 50))
def test_identical_prompts_give_a_point_interval(k: int, prompts: int, seed: int) -> None:
    steps = list(range(k + 2))
    reward = _rows([1.0] * k + [10.0, 10.0], prompts)
    gold = _rows([0.0] * (k + 2), prompts)
    got = divergence_interval(steps, reward, gold, (1, 10), (0, 1), margin=0.1, seed=seed, resamples=50)
    assert (got.step, got.low, got.high, got.share) == (k, k, k, 1.0)


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=6), st.integers(0, 20))
def test_the_interval_holds_the_resampled_steps_and_the_share_is_a_rate(
    pairs: list[tuple[float, float]], seed: int
) -> None:
    steps = [0, 10, 20]
    reward = [[1.0] * len(pairs), [1 + 9 * r for r, _ in pairs], [1 + 9 * r for r, _ in pairs]]
    gold = [[0.0] * len(pairs), [g for _, g in pairs], [g for _, g in pairs]]
    got = divergence_interval(steps, reward, gold, (1, 10), (0, 1), margin=0.1, seed=seed, resamples=40)
    assert 0 <= got.share <= 1
    if got.share:
        assert got.low is not None and got.high is not None and got.low <= got.high
        assert {got.low, got.high} <= set(steps[1:])
    else:
        assert got.low is None and got.high is None


def test_bad_shapes_and_scales_are_named() -> None:
    with pytest.raises(ValueError, match="one each"):
        gap_curve([0, 1], _rows([1.0]), _rows([0.0, 0.0]), (1, 10), (0, 1))
    with pytest.raises(ValueError, match="LOW < HIGH"):
        gap_curve([0], _rows([1.0]), _rows([0.0]), (10, 1), (0, 1))


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=8), st.lists(st.floats(-100, 100), min_size=1, max_size=8))
def test_standardised_shift_is_antisymmetric_bounded_and_zero_on_equal_sets(a: list[float], b: list[float]) -> None:
    d = standardised_shift(a, b)
    assert -10 <= d <= 10
    assert d == pytest.approx(-standardised_shift(b, a))
    assert standardised_shift(a, a) == 0
