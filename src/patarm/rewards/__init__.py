"""Rewards for training a pointwise judge from pairs: PAR, delta functions, format reward.

Per pair (:func:`par_rewards`, :func:`total_rewards`) with plain lists, or per batch
(:func:`par_batch`) with numpy, bit-identical to the per-pair form. :class:`PARSettings`
holds the settings every entry point (TRL, verl, OpenRLHF, the rendezvous, the CLI) reads.
"""

from patarm.rewards._batch import PARBatch, PARStats, pair_index, par_batch, par_rewards_batch
from patarm.rewards._delta import (
    ConstantDelta,
    Delta,
    GradedDelta,
    apply_delta,
    constant_delta,
    graded_delta,
)
from patarm.rewards._format import FormatReward, format_reward
from patarm.rewards._par import par_rewards, total_rewards
from patarm.rewards._settings import BUILTIN_DELTAS, PARSettings, delta_from_spec

__all__ = [
    "BUILTIN_DELTAS",
    "ConstantDelta",
    "Delta",
    "FormatReward",
    "GradedDelta",
    "PARBatch",
    "PARSettings",
    "PARStats",
    "apply_delta",
    "constant_delta",
    "delta_from_spec",
    "format_reward",
    "graded_delta",
    "pair_index",
    "par_batch",
    "par_rewards",
    "par_rewards_batch",
    "total_rewards",
]
