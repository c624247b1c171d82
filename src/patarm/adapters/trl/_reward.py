"""The PAR reward as a TRL reward function: parse every completion, group the batch by
pair id and role, and return PAR + format reward per completion.

TRL calls ``reward(prompts=..., completions=..., completion_ids=..., pair_id=[...],
role=[...], log_metric=..., ...)`` with one entry per completion of the process's batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from patarm.adapters.trl._completions import completion_text
from patarm.errors import ConfigError
from patarm.parsing import parse_judgment
from patarm.rendezvous import PairRewardSettings
from patarm.rewards import PARSettings, par_batch

__all__ = ["PARReward", "RewardCall"]


@dataclass
class RewardCall:
    """What one reward call saw and returned (kept when ``record=True``, for checks)."""

    pair_ids: list[str]
    roles: list[str]
    scores: list[float | None]
    rewards: list[float]


class PARReward(PairRewardSettings):
    """Picklable TRL reward function computing PAR + format reward over its batch.

    Both sides of every pair must be in the same call (use :class:`PairRepeatSampler` /
    :class:`PARGRPOTrainer`); a pair missing a side is an error naming it, never a silent 0.
    Batch statistics (malformed rate, incomplete pairs, pair accuracy, mean margin) are
    logged through TRL's ``log_metric`` as ``par/...``. ``settings`` holds the delta and
    format reward values (the paper's graded delta by default); ``rollouts_per_side``,
    ``timeout_s`` and ``fallback_par`` are unused here, since the whole batch is seen at once
    (and so is the shared ``rendezvous`` field). The pair fields, ``scale`` and
    ``integer_scores`` are :class:`~patarm.rendezvous.PairRewardSettings`' fields.

    >>> PARReward(settings=PARSettings(delta="constant")).settings.delta
    ConstantDelta(value=1.0)
    """

    settings: PARSettings = Field(default_factory=PARSettings, description="the delta and format reward values")
    record: bool = Field(False, description="keep what each call saw and returned in calls (for checks)")
    calls: list[RewardCall] = Field(default_factory=list, description="the recorded calls, when record is on")

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] = (),
        completion_ids: Any = None,
        log_metric: Callable[[str, float], None] | None = None,
        **columns: Any,
    ) -> list[float]:
        for key in (self.pair_id_key, self.role_key):
            if key not in columns:
                raise ConfigError(
                    f"the reward needs a {key!r} column in the training dataset (one value per row); "
                    f"columns seen: {sorted(k for k in columns if k not in ('trainer_state', 'log_extra'))}"
                )
        pair_ids = [str(p) for p in columns[self.pair_id_key]]
        roles = list(columns[self.role_key])
        texts = [completion_text(c) for c in completions]
        scores = [parse_judgment(t, self.scale, integer=self.integer_scores).score for t in texts]
        out = par_batch(scores, pair_ids, roles, self.settings.delta, self.settings.format_reward)
        rewards: list[float] = out.total.tolist()
        if log_metric is not None:
            for name, value in out.stats.to_metrics("par/").items():
                log_metric(name, value)
        if self.record:
            self.calls.append(RewardCall(pair_ids, [str(r) for r in roles], scores, rewards))
        return rewards
