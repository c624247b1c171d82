"""Rewards for training a pointwise judge from pairs: PAR, delta functions, format reward.

Per pair (:func:`par_rewards`, :func:`total_rewards`) with plain lists, or per batch
(:func:`par_batch`) with numpy, bit-identical to the per-pair form.
"""

from patarm.rewards._batch import PARBatch, PARStats, pair_index, par_batch, par_rewards_batch
from patarm.rewards._delta import (
    DELTA_NAMES,
    ConstantDelta,
    Delta,
    GradedDelta,
    apply_delta,
    constant_delta,
    delta_by_name,
    graded_delta,
)
from patarm.rewards._format import FormatReward, format_reward
from patarm.rewards._par import par_rewards, total_rewards

__all__ = [
    "DELTA_NAMES",
    "ConstantDelta",
    "Delta",
    "FormatReward",
    "GradedDelta",
    "PARBatch",
    "PARStats",
    "apply_delta",
    "constant_delta",
    "delta_by_name",
    "format_reward",
    "graded_delta",
    "pair_index",
    "par_batch",
    "par_rewards",
    "par_rewards_batch",
    "total_rewards",
]
