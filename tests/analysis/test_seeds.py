"""Mean and standard deviation over seeds, each seed's value kept, nothing measured never averaged."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.analysis import seed_summary
from patarm.errors import ConfigError

values = st.dictionaries(st.integers(0, 99), st.floats(0, 1), min_size=1, max_size=8)


@given(values, st.floats(-1, 1))
def test_mean_and_std_follow_the_values_and_a_shift_moves_only_the_mean(data: dict[int, float], shift: float) -> None:
    summary = seed_summary(data)
    assert summary["mean"] == pytest.approx(statistics.fmean(data.values()))
    assert summary["std"] == (pytest.approx(statistics.stdev(data.values())) if len(data) > 1 else None)
    assert summary["per_seed"] == {str(k): v for k, v in data.items()}
    shifted = seed_summary({k: v + shift for k, v in data.items()})
    assert shifted["mean"] == pytest.approx(summary["mean"] + shift)
    if len(data) > 1:
        assert shifted["std"] == pytest.approx(summary["std"], abs=1e-9)


def test_a_seed_with_nothing_measured_is_listed_not_averaged() -> None:
    summary = seed_summary({0: 0.5, 1: None, 2: 0.7})
    assert summary["mean"] == pytest.approx(0.6) and summary["missing"] == 1 and summary["per_seed"]["1"] is None
    with pytest.raises(ConfigError):
        seed_summary({})
