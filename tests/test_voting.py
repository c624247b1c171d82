from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.voting import (
    expected_score,
    get_voting_rule,
    majority_vote,
    mean_vote,
    median_vote,
    preferences_from_scores,
)

finite = st.floats(-1e12, 1e12, allow_nan=False)
scores = st.lists(st.none() | finite, max_size=12)
votes = st.lists(st.none() | st.sampled_from(["a", "b", "c"]), max_size=15)
scales = st.tuples(st.integers(-5, 5), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1]))


def test_examples() -> None:
    assert mean_vote([7, 8, None]) == 7.5
    assert mean_vote([None, None]) is None and median_vote([]) is None
    assert median_vote([1, 9, 4, 2]) == 3.0
    assert majority_vote(["a", "b", None, "b"]) == "b"
    assert majority_vote(["a", "b"]) is None
    assert majority_vote([None, None]) is None
    assert preferences_from_scores([7, 5, None, 4], [6, 5, 3, 9]) == ["a", None, None, "b"]
    assert expected_score({"6": 0.25, "8": 0.75}) == 7.5
    assert expected_score({" 3": math.log(0.5), "5": math.log(0.5), "<": 0.0}, logprobs=True) == 4.0
    assert expected_score({"x": 1.0}) is None
    assert expected_score({11: 1.0, 0: 1.0}) is None  # no mass on the scale


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"scores\[1\]"):
        mean_vote([1.0, float("nan")])
    with pytest.raises(ValueError, match=r"distribution\['7'\]"):
        expected_score({"7": -0.1})
    with pytest.raises(ValueError, match="one score per sample"):
        preferences_from_scores([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="known: mean, median"):
        get_voting_rule("mode")
    assert get_voting_rule("median") is median_vote


@given(st.data(), scores)
def test_score_votes_are_order_invariant(data: st.DataObject, xs: list[float | None]) -> None:
    shuffled = data.draw(st.permutations(xs))
    assert mean_vote(shuffled) == mean_vote(xs)
    assert median_vote(shuffled) == median_vote(xs)


@given(st.data(), votes)
def test_majority_is_order_invariant_and_strict(data: st.DataObject, vs: list[str | None]) -> None:
    winner = majority_vote(vs)
    assert majority_vote(data.draw(st.permutations(vs))) == winner
    counts = {v: vs.count(v) for v in set(vs) if v is not None}
    if winner is None:
        assert not counts or sorted(counts.values())[-2:].count(max(counts.values())) == 2
    else:
        assert all(c < counts[winner] for v, c in counts.items() if v != winner)


@given(finite, st.integers(1, 30))
def test_mean_of_equal_scores_is_that_score(x: float, k: int) -> None:
    assert mean_vote([x] * k) == x
    assert median_vote([x] * k) == x


@given(st.lists(finite, min_size=1, max_size=12))
def test_votes_lie_between_min_and_max(xs: list[float]) -> None:
    for rule in (mean_vote, median_vote):
        value = rule(xs)
        assert value is not None and min(xs) <= value <= max(xs)


@given(st.data(), scales, st.booleans())
def test_expected_score_within_scale_and_order_invariant(
    data: st.DataObject, scale: tuple[int, int], log: bool
) -> None:
    lo, hi = scale
    keys = st.integers(lo - 3, hi + 3) | st.floats(lo - 1, hi + 1, allow_nan=False) | st.sampled_from(["x", " 7", "1"])
    weights = st.floats(-50, 0) if log else st.floats(0, 10)
    dist = data.draw(st.dictionaries(keys, weights, max_size=12))
    value = expected_score(dist, scale, logprobs=log)
    if value is not None:
        assert lo <= value <= hi
    items = data.draw(st.permutations(list(dist.items())))
    assert expected_score(dict(items), scale, logprobs=log) == value


@given(st.lists(st.none() | finite, max_size=10), st.lists(st.none() | finite, max_size=10))
def test_preferences_are_antisymmetric(a: list[float | None], b: list[float | None]) -> None:
    n = min(len(a), len(b))
    forward = preferences_from_scores(a[:n], b[:n])
    backward = preferences_from_scores(b[:n], a[:n])
    flip = {"a": "b", "b": "a", None: None}
    assert backward == [flip[p] for p in forward]


@given(
    st.dictionaries(st.integers(1, 10).map(str), st.floats(-30, 0), min_size=1, max_size=10),
    st.floats(-2000, 2000),
)
def test_shifting_every_log_probability_leaves_the_expected_score(logprobs: dict[str, float], shift: float) -> None:
    # Log-probabilities need not be normalised: adding a constant to all of them (even one
    # far outside exp's range) is the same distribution.
    base = expected_score(logprobs, logprobs=True)
    shifted = expected_score({k: w + shift for k, w in logprobs.items()}, logprobs=True)
    assert base is not None and shifted == pytest.approx(base, rel=1e-9)
