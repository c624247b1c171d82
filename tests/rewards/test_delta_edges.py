"""The built-in deltas' fields and bounds, and apply_delta with a custom vectorised form:
the edges the formula properties do not reach (a zero or fractional threshold, integer or
numpy field values, a vectorised form that warns off the positive margins)."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patarm.rewards import ConstantDelta, GradedDelta, apply_delta

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(st.floats(0, 1e6), finite, finite)
@example(0.0, 0.3, 0.6)
@example(0.5, 0.5, 1.0)
def test_any_non_negative_threshold_is_accepted(threshold: float, low: float, high: float) -> None:
    delta = GradedDelta(threshold, low, high)
    assert delta(threshold) == (low if threshold > 0 else 0.0)  # a margin of the threshold is small
    assert delta(threshold + 1.0) == high
    assert apply_delta(delta, np.array([threshold, threshold + 1.0, 0.0])).tolist() == [
        low if threshold > 0 else 0.0,
        high,
        0.0,
    ]


def test_a_zero_threshold_pays_high_for_every_positive_margin() -> None:
    delta = GradedDelta(threshold=0.0, low=0.3, high=0.6)
    assert [delta(m) for m in (-1.0, 0.0, 1e-9, 0.5, 3.0)] == [0.0, 0.0, 0.6, 0.6, 0.6]


@given(st.floats(max_value=0, exclude_max=True, allow_infinity=False))
@example(-1e-9)
def test_a_negative_threshold_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match=r"^threshold must be >= 0, got "):
        GradedDelta(threshold)


@pytest.mark.parametrize("raw", [2, np.float32(0.5), np.int64(3), True])
def test_fields_are_stored_as_python_floats(raw: object) -> None:
    # Stored as float, the fields print, compare, hash and pickle the same whatever the caller gave.
    constant = ConstantDelta(raw)  # type: ignore[arg-type]
    graded = GradedDelta(raw, raw, raw)  # type: ignore[arg-type]
    for delta, fields in ((constant, [constant.value]), (graded, [graded.threshold, graded.low, graded.high])):
        assert all(type(f) is float and f == float(raw) for f in fields)  # type: ignore[arg-type]
        assert pickle.loads(pickle.dumps(delta)) == delta
    assert repr(ConstantDelta(2)) == "ConstantDelta(value=2.0)"  # type: ignore[arg-type]
    assert type(ConstantDelta(2)(1.0)) is float  # type: ignore[arg-type]


class Log:
    """log(margin): -inf at 0 and NaN below, where numpy warns; apply_delta discards those."""

    def __call__(self, margin: float) -> float:
        return math.log(margin)

    def vectorized(self, margins: np.ndarray) -> np.ndarray:
        return np.log(margins)


def test_a_vectorised_form_may_compute_anything_off_the_positive_margins_silently() -> None:
    margins = np.array([math.e, 0.0, -1.0, np.nan, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's divide and invalid warnings would fail here
        out = apply_delta(Log(), margins)
    assert out.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert out.dtype == np.float64


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(0.0, 10.0))
@example(0.5, 1.0)  # a positive margin below 1 pays the constant too
@example(1e-9, 2.0)
@example(float("nan"), 1.0)
def test_the_constant_delta_vectorized_agrees_with_the_scalar_form(margin: float, value: float) -> None:
    delta = ConstantDelta(value)
    want = delta(margin) if margin == margin else 0.0
    assert delta.vectorized(np.array([margin])).tolist() == [want]
    assert want == (value if margin > 0 else 0.0)
