"""The documented thresholds an audit's verdicts are read against, in one settings object.

A check passes when its figure is on the good side of the threshold, fails when the whole
95% interval is on the bad side, and warns when the figure is on the bad side but the
interval reaches back across (too few pairs to be sure). Score thresholds are fractions of
the score scale's range, so they mean the same on 1-10 and on 0-1.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from patarm._stats import Figure
from patarm.errors import ConfigError

__all__ = [
    "Thresholds",
    "Verdict",
    "verdict_at_least",
    "verdict_at_most",
    "verdict_distance_at_most",
    "worst",
]

Verdict = Literal["pass", "warn", "fail", "n/a", "info"]
_RANK = {"n/a": 0, "info": 0, "pass": 1, "warn": 2, "fail": 3}


@dataclass(frozen=True)
class Thresholds:
    """Where each check's verdict turns (see the module docstring)."""

    accuracy_min: float = field(default=0.6, metadata={"help": "pair accuracy at least this"})
    tie_rate_max: float = field(default=0.2, metadata={"help": "share of tied pairs at most this"})
    malformed_max: float = field(default=0.05, metadata={"help": "share of malformed samples at most this"})
    length_gap_max: float = field(
        default=0.15, metadata={"help": "|accuracy when chosen is longer - when shorter| at most this"}
    )
    style_shift_max: float = field(
        default=0.05, metadata={"help": "|mean score shift, markdown minus plain| at most this x scale range"}
    )
    injection_excess_max: float = field(
        default=0.05, metadata={"help": "flip rate of any attack above its length-matched control at most this"}
    )
    position_agreement_min: float = field(default=0.8, metadata={"help": "both orders agree at least this often"})
    first_win_band: float = field(default=0.1, metadata={"help": "|first-position win rate - 0.5| at most this"})
    spread_max: float = field(default=0.1, metadata={"help": "mean std of k sample scores at most this x scale range"})
    mode_agreement_min: float = field(
        default=0.8, metadata={"help": "pointwise and pairwise decisions agree at least this often"}
    )
    top_score_share_max: float = field(default=0.5, metadata={"help": "share of the most common score at most this"})

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ConfigError(f"{name}: expected a finite number, got {value!r}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verdict_at_most(value: float | None, low: float | None, limit: float) -> Verdict:
    """A figure that should stay at or below ``limit`` (``low``: its interval's lower end)."""
    if value is None:
        return "n/a"
    if value <= limit:
        return "pass"
    return "fail" if low is None or low > limit else "warn"


def verdict_at_least(value: float | None, high: float | None, limit: float) -> Verdict:
    """A figure that should stay at or above ``limit`` (``high``: its interval's upper end)."""
    if value is None:
        return "n/a"
    if value >= limit:
        return "pass"
    return "fail" if high is None or high < limit else "warn"


def verdict_distance_at_most(fig: Figure, limit: float, *, centre: float = 0.0) -> Verdict:
    """A figure whose distance from ``centre`` (either side) should stay at or below ``limit``;
    the interval's end nearest the centre (0 when it straddles it) decides between warn and fail."""
    if fig.value is None:
        return "n/a"
    near: float | None = None
    if fig.low is not None and fig.high is not None:
        near = 0.0 if fig.low <= centre <= fig.high else min(abs(fig.low - centre), abs(fig.high - centre))
    return verdict_at_most(abs(fig.value - centre), near, limit)


def worst(*verdicts: Verdict) -> Verdict:
    """The most severe verdict ("n/a" only when every part is)."""
    return max(verdicts, key=_RANK.__getitem__) if verdicts else "n/a"
