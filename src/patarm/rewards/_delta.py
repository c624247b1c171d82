"""Delta functions: how a positive score margin becomes a reward magnitude.

Any callable ``float -> float`` is a delta; PAR only calls it on positive margins. The two
built-ins are frozen dataclasses, so they pickle (Ray and multiprocessing need that) and
carry a vectorised form that the batch PAR uses.

>>> graded_delta()(1.5), graded_delta()(3.0), constant_delta()(0.1)
(0.5, 1.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from patarm.errors import ConfigError

__all__ = [
    "ConstantDelta",
    "Delta",
    "GradedDelta",
    "apply_delta",
    "constant_delta",
    "graded_delta",
]

Delta = Callable[[float], float]
FloatArray = npt.NDArray[np.float64]


def _finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value!r}")
    return value


@dataclass(frozen=True)
class GradedDelta:
    """``low`` for a margin in (0, threshold], ``high`` above it, 0 otherwise (the paper's choice).

    Frozen and picklable; called as ``delta(margin)`` on one margin.

    Args:
        threshold: Margin, in score points, up to which a win counts as small. Default
            2.0; must be >= 0.
        low: Reward for a margin in (0, threshold]. Default 0.5.
        high: Reward for a margin above ``threshold``. Default 1.0.

    Raises:
        ValueError: A field is not finite, or ``threshold`` is negative.
    """

    threshold: float = 2.0
    low: float = 0.5
    high: float = 1.0

    def __post_init__(self) -> None:
        for name in ("threshold", "low", "high"):
            object.__setattr__(self, name, _finite(name, getattr(self, name)))
        if self.threshold < 0:
            raise ConfigError(f"threshold must be >= 0, got {self.threshold}")

    def __call__(self, margin: float) -> float:
        if margin <= 0:
            return 0.0
        return self.low if margin <= self.threshold else self.high

    def vectorized(self, margins: FloatArray) -> FloatArray:
        """The same function over an array of margins (0.0 where a margin is NaN)."""
        with np.errstate(invalid="ignore"):
            level = (margins > 0).view(np.int8) + (margins > self.threshold).view(np.int8)
        return np.array([0.0, self.low, self.high])[level]


@dataclass(frozen=True)
class ConstantDelta:
    """``value`` for every positive margin (collapses late in training for large models).

    Frozen and picklable; called as ``delta(margin)`` on one margin.

    Args:
        value: Reward for every positive margin, whatever its size. Default 1.0.

    Raises:
        ValueError: ``value`` is not finite.
    """

    value: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite("value", self.value))

    def __call__(self, margin: float) -> float:
        return self.value if margin > 0 else 0.0

    def vectorized(self, margins: FloatArray) -> FloatArray:
        """The same function over an array of margins (0.0 where a margin is NaN)."""
        with np.errstate(invalid="ignore"):
            level = (margins > 0).view(np.int8)
        return np.array([0.0, self.value])[level]


def graded_delta(
    threshold: float = GradedDelta.threshold, low: float = GradedDelta.low, high: float = GradedDelta.high
) -> GradedDelta:
    """The paper's graded delta with this project's defaults (method.md).

    Args:
        threshold: Margin, in score points, up to which a win counts as small. Default
            2.0; must be >= 0.
        low: Reward for a margin in (0, threshold]. Default 0.5.
        high: Reward for a margin above ``threshold``. Default 1.0.

    Returns:
        A picklable :class:`GradedDelta` (margin -> reward).

    Raises:
        ValueError: An argument is not finite, or ``threshold`` is negative.
    """
    return GradedDelta(threshold=threshold, low=low, high=high)


def constant_delta(value: float = ConstantDelta.value) -> ConstantDelta:
    """A delta that ignores the margin size.

    Args:
        value: Reward for every positive margin. Default 1.0.

    Returns:
        A picklable :class:`ConstantDelta` (margin -> reward).

    Raises:
        ValueError: ``value`` is not finite.
    """
    return ConstantDelta(value=value)


def apply_delta(delta: Delta, margins: FloatArray) -> FloatArray:
    """``delta(margin)`` for every positive margin, 0.0 for the rest (non-positive or NaN).

    Uses ``delta.vectorized(margins)`` when the delta has it (the built-ins do; a custom
    delta may add one for speed): it gets the whole array, and its values at non-positive
    or NaN margins are discarded. Otherwise the delta is called once per positive margin.
    A non-finite reward is an error.
    """
    if isinstance(delta, (GradedDelta, ConstantDelta)):
        return delta.vectorized(margins)  # finite, and 0.0 off positive margins, by construction
    with np.errstate(invalid="ignore"):
        positive = margins > 0
    vectorized = getattr(delta, "vectorized", None)
    if callable(vectorized):
        with np.errstate(all="ignore"):
            out = np.asarray(vectorized(margins), dtype=np.float64)
        if out.shape != margins.shape:
            raise ConfigError(f"{delta!r}.vectorized returned shape {out.shape}, expected {margins.shape}")
        if np.may_share_memory(out, margins):
            out = out.copy()
        np.copyto(out, 0.0, where=~positive)
    else:
        out = np.zeros(margins.shape, dtype=np.float64)
        where = np.flatnonzero(positive)
        out[where] = np.fromiter((float(delta(float(m))) for m in margins[where]), np.float64, count=where.size)
    if not np.isfinite(out).all():
        raise ConfigError(f"delta {delta!r} returned a non-finite reward")
    return out
