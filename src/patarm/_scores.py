"""Validation of score inputs shared by the per-pair and batch PAR forms.

A score is a finite number, or None / NaN for a malformed rollout. Infinities, bools
and non-numbers are errors that name the position: they are bugs upstream, never scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np
import numpy.typing as npt

__all__ = ["ScoreInput", "as_score_array", "as_score_list", "sorted_mean"]

ScoreInput = Sequence[float | int | None] | npt.NDArray[np.floating]


def _bad(name: str, index: int, value: object) -> ValueError:
    return ValueError(f"{name}[{index}]: expected a finite number or None (malformed), got {value!r}")


def as_score_list(scores: ScoreInput, name: str) -> list[float | None]:
    """Scores as floats, with None for malformed rollouts (NaN counts as malformed)."""
    out: list[float | None] = []
    for i, value in enumerate(scores):
        if value is None:
            out.append(None)
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
            raise _bad(name, i, value)
        number = float(value)
        if math.isnan(number):
            out.append(None)
        elif math.isinf(number):
            raise _bad(name, i, value)
        else:
            out.append(number)
    return out


def as_score_array(scores: ScoreInput, name: str) -> npt.NDArray[np.float64]:
    """Scores as a float64 array, with NaN for malformed rollouts."""
    if isinstance(scores, np.ndarray) and scores.dtype.kind == "f":
        array = scores.astype(np.float64, copy=False).reshape(-1)
    else:
        array = np.array([np.nan if s is None else s for s in as_score_list(scores, name)], dtype=np.float64)
    bad = np.isinf(array)
    if bad.any():
        index = int(np.argmax(bad))
        raise _bad(name, index, float(array[index]))
    return array


def sorted_mean(values: list[float]) -> float | None:
    """Mean of ``values`` summed in ascending order: independent of the input order, and
    bit-identical to the batch form (which sums each group in the same order)."""
    if not values:
        return None
    total = 0.0
    for v in sorted(values):
        total += v
    return total / len(values)
