"""patarm: reward-modeling primitives for PaTaRM, a pointwise generative judge trained
from pairwise preferences with the Preference-Aware Reward (PAR).

``import patarm`` is light: no torch, transformers or RL stack is imported until a piece
that needs it is used (``patarm.PairSampler`` loads torch on first access).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patarm._extras import MissingExtraError
from patarm._version import __version__
from patarm.errors import PatarmError
from patarm.parsing import escape_tags, format_judgment, parse_judgment, parse_score
from patarm.rewards import (
    ConstantDelta,
    FormatReward,
    GradedDelta,
    PARBatch,
    PARSettings,
    PARStats,
    constant_delta,
    format_reward,
    graded_delta,
    par_batch,
    par_rewards,
    par_rewards_batch,
    total_rewards,
)
from patarm.types import ChatMessage, Judgment, MalformedReason, PreferencePair, RowError
from patarm.voting import (
    expected_score,
    majority_vote,
    mean_vote,
    median_vote,
    preferences_from_scores,
)

if TYPE_CHECKING:
    from patarm.sampling import PairSampler

__all__ = [
    "ChatMessage",
    "ConstantDelta",
    "FormatReward",
    "GradedDelta",
    "Judgment",
    "MalformedReason",
    "MissingExtraError",
    "PARBatch",
    "PARSettings",
    "PARStats",
    "PairSampler",
    "PatarmError",
    "PreferencePair",
    "RowError",
    "__version__",
    "constant_delta",
    "escape_tags",
    "expected_score",
    "format_judgment",
    "format_reward",
    "graded_delta",
    "majority_vote",
    "mean_vote",
    "median_vote",
    "par_batch",
    "par_rewards",
    "par_rewards_batch",
    "parse_judgment",
    "parse_score",
    "preferences_from_scores",
    "total_rewards",
]


def __getattr__(name: str) -> Any:
    if name == "PairSampler":
        from patarm.sampling import PairSampler

        return PairSampler
    raise AttributeError(f"module 'patarm' has no attribute {name!r}")
