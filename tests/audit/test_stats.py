"""Intervals: Wilson for rates, seeded bootstrap for means; Spearman's correlation."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from patarm._stats import bootstrap, spearman, wilson
from patarm.audit import Figure
from patarm.audit._thresholds import verdict_at_least, verdict_at_most, verdict_distance_at_most


def test_wilson_matches_the_textbook_value() -> None:
    fig = wilson(45, 50)
    assert (round(fig.low or 0, 4), round(fig.high or 0, 4)) == (0.7864, 0.9565)
    assert wilson(0, 0).value is None


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_interval_holds_the_rate_inside_unit_range(k: int, n: int) -> None:
    k = min(k, n)
    fig = wilson(k, n)
    assert fig.low is not None and fig.high is not None and fig.value is not None
    assert 0 <= fig.low <= fig.value <= fig.high <= 1 and fig.n == n


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=30), st.integers(0, 3))
def test_bootstrap_is_seeded_and_brackets_the_mean(values: list[float], seed: int) -> None:
    def mean(xs: list[float]) -> float:
        return math.fsum(xs) / len(xs)

    a = bootstrap(values, mean, seed=seed, resamples=50)
    assert a == bootstrap(values, mean, seed=seed, resamples=50)
    assert a.low is not None and a.high is not None and a.n == len(values)
    assert a.low <= a.high and a.method == "bootstrap"


def test_spearman() -> None:
    assert spearman([(1, 2), (2, 4), (3, 9)]) == 1.0
    assert spearman([(1, 3), (2, 2), (3, 1)]) == -1.0
    assert spearman([(1, 1), (2, 1), (3, 1)]) is None


def test_verdicts_pass_warn_fail() -> None:
    assert verdict_at_most(0.1, 0.05, 0.2) == "pass"
    assert verdict_at_most(0.3, 0.1, 0.2) == "warn"  # the interval reaches back under the limit
    assert verdict_at_most(0.3, 0.25, 0.2) == "fail"
    assert verdict_at_least(None, None, 0.5) == "n/a"
    assert verdict_distance_at_most(Figure(0.9, 40, 0.8, 1.0), 0.1, centre=0.5) == "fail"
    assert verdict_distance_at_most(Figure(-0.3, 40, -0.6, 0.05), 0.15) == "warn"
