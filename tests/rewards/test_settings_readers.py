"""PARSettings' readers at their edges: each error names the setting where the value came
from (constructor field, YAML path, environment variable) and the spec as written; empty
values read as unset; the delta check calls a delta once, on the margin 1.0."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from custom_deltas import Capped
from patarm.rewards import GradedDelta, PARSettings, delta_from_spec


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PARSettings(malformed="x"), r"malformed: expected a number, got 'x'"),
        (lambda: PARSettings(well_formed=True), r"well_formed: expected a number, got True"),
        (lambda: PARSettings(fallback_par=math.nan), r"fallback_par: expected a finite number, got nan"),
        (
            lambda: PARSettings.from_mapping({"timeout_s": "inf"}, "reward.patarm"),
            r"reward\.patarm\.timeout_s: expected a finite number, got 'inf'",
        ),
        (lambda: PARSettings(rollouts_per_side=2.5), r"rollouts_per_side: expected an integer >= 1, got 2\.5"),
        (lambda: PARSettings(delta=42), r"delta: '42': names 42, which is not callable \(margin -> reward\)"),
        (
            lambda: PARSettings.from_mapping({"delta": 42}, "reward.patarm"),
            r"reward\.patarm\.delta: '42': names 42, which is not callable \(margin -> reward\)",
        ),
        (
            lambda: PARSettings.from_mapping({"delta": "custom_deltas:missing"}, "reward.patarm"),
            r"reward\.patarm\.delta: 'custom_deltas:missing': module 'custom_deltas' has no attribute 'missing'",
        ),
        (
            lambda: PARSettings.from_env("PATARM_", {"PATARM_DELTA": "graded(threshold=-1)"}),
            r"PATARM_DELTA: 'graded\(threshold=-1\)': threshold must be >= 0, got -1\.0",
        ),
    ],
)
def test_a_bad_value_is_an_error_naming_where_it_came_from(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        make()


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("custom_deltas:capped(max=__import__('os'))", r"arguments must be literals such as \(max=2, low=0\.5\) \("),
        ("no_such_module:capped", r"cannot import module 'no_such_module' \("),
        ("custom_deltas.missing.capped", r"cannot import module 'custom_deltas\.missing' \("),
        ("custom_deltas:PI(2)", r"custom_deltas:PI is not callable$"),
        ("math:pi(2)", r"math is a standard-library module; "),
        ("custom_deltas:capped", r"calling it on the margin 1\.0 failed \(TypeError: "),
    ],
)
def test_a_spec_error_quotes_the_spec_as_written(spec: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^delta {re.escape(repr(spec))}: {reason}"):
        delta_from_spec(spec)


def test_a_dotted_path_without_a_colon_names_the_module_up_to_its_last_dot() -> None:
    assert delta_from_spec("custom_deltas.capped(max=2)") == Capped(2)
    with pytest.raises(ValueError, match=r"cannot import module 'custom_deltas\.Family'"):
        delta_from_spec("custom_deltas.Family.linear")  # a nested name needs the colon form
    assert delta_from_spec("custom_deltas:Family.linear")(3.0) == 3.0


def test_a_delta_that_needs_arguments_gets_the_factory_hint() -> None:
    hint = "; to call a factory that returns the delta, write its arguments: name() or name(k=v)"
    with pytest.raises(ValueError, match=re.escape(hint) + "$"):
        delta_from_spec("custom_deltas:capped")


class Recording:
    """A delta that records the margins it is called on."""

    def __init__(self) -> None:
        self.margins: list[float] = []

    def __call__(self, margin: float) -> float:
        self.margins.append(margin)
        return 1.0 if margin > 0 else 0.0


def test_a_delta_is_tried_once_on_the_margin_one() -> None:
    delta = Recording()
    assert PARSettings(delta=delta).delta is delta
    assert delta.margins == [1.0]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_delta_with_a_non_finite_reward_is_refused(value: float) -> None:
    def delta(margin: float) -> float:
        return value

    with pytest.raises(ValueError, match=rf"returned {value!r} for the margin 1\.0 \(a reward must be finite\)$"):
        PARSettings(delta=delta)


def test_empty_values_read_as_unset() -> None:
    env = {f"PATARM_{name.upper()}": "" for name in PARSettings.names()}
    assert PARSettings.from_env("PATARM_", env) == PARSettings()  # an empty variable takes the default
    assert PARSettings.from_mapping({"rollouts_per_side": ""}).rollouts_per_side is None  # e.g. --rollouts-per-side ""
    assert PARSettings(rollouts_per_side="").rollouts_per_side is None  # type: ignore[arg-type]


@given(st.floats(min_value=0, exclude_min=True, allow_infinity=False))
@example(0.5)
@example(1e-9)
def test_any_positive_timeout_is_accepted(timeout_s: float) -> None:
    assert PARSettings(timeout_s=timeout_s).timeout_s == timeout_s


@pytest.mark.parametrize("timeout_s", [0.0, -0.0, -1.0])
def test_a_timeout_that_is_not_positive_is_refused(timeout_s: float) -> None:
    with pytest.raises(ValueError, match=rf"^timeout_s: expected > 0, got {timeout_s}$"):
        PARSettings(timeout_s=timeout_s)


def test_require_rollouts_says_how_to_set_the_count() -> None:
    with pytest.raises(ValueError, match=r"^rollouts_per_side is not set: set verl's rollout\.n$"):
        PARSettings().require_rollouts("set verl's rollout.n")
    assert PARSettings(rollouts_per_side=3).require_rollouts("unused") == 3


def test_default_text_names_a_builtin_delta_only_for_its_exact_default() -> None:
    assert PARSettings.default_text("delta") == "graded"
    assert GradedDelta() != GradedDelta(threshold=1.0)  # a changed default would print as itself
