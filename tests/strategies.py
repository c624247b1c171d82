"""Shared hypothesis strategies and an independent reference for the PAR formula."""

from __future__ import annotations

from hypothesis import strategies as st

from patarm.rewards import constant_delta, graded_delta

int_score = st.integers(1, 10).map(float)
any_score = int_score | st.floats(1, 10, allow_nan=False) | st.floats(-1e6, 1e6, allow_nan=False)
maybe_score = st.none() | any_score
maybe_int_score = st.none() | int_score
side = st.lists(maybe_score, max_size=8)
int_side = st.lists(maybe_int_score, max_size=8)


def linear(margin: float) -> float:
    """A custom delta without a vectorised form (exercises the per-element path)."""
    return margin


positive_deltas = st.sampled_from([graded_delta(), constant_delta(), graded_delta(1.0, 0.2, 0.7), linear])


def reference_mean(scores: list[float | None]) -> float | None:
    """The documented mean: well-formed scores summed in ascending order, over their count."""
    kept = sorted(s for s in scores if s is not None)
    if not kept:
        return None
    total = 0.0
    for s in kept:
        total = total + s
    return total / len(kept)
