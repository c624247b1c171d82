"""TRL adapter (extra ``trl``): GRPO with PAR, keeping both sides of every pair together.

- :class:`PARReward`: the reward function (PAR + format, batch statistics logged);
- :class:`PARGRPOTrainer`: ``GRPOTrainer`` with :class:`PairRepeatSampler` and start-up checks;
- :func:`grpo_rows`: preference pairs -> one judge-prompt row per (pair, side);
- :func:`sft_rows`, :func:`format_warmup`: the SFT format warm-up on pointwise records, before RL;
- :class:`JudgeReward`: a trained judge as the reward for POLICY training (one score per completion).

TRL itself is imported only by :class:`PARGRPOTrainer` (on first access) and inside :func:`format_warmup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patarm.adapters.trl._completions import completion_text, prompt_messages
from patarm.adapters.trl._dataset import grpo_rows
from patarm.adapters.trl._judge_reward import JudgeReward
from patarm.adapters.trl._reward import PARReward, RewardCall
from patarm.adapters.trl._sampler import PairRepeatSampler, check_pair_batching
from patarm.adapters.trl._sft import format_warmup, sft_rows

if TYPE_CHECKING:
    from patarm.adapters.trl._trainer import PARGRPOTrainer

__all__ = [
    "JudgeReward",
    "PARGRPOTrainer",
    "PARReward",
    "PairRepeatSampler",
    "RewardCall",
    "check_pair_batching",
    "completion_text",
    "format_warmup",
    "grpo_rows",
    "prompt_messages",
    "sft_rows",
]


def __getattr__(name: str) -> Any:
    if name == "PARGRPOTrainer":
        from patarm.adapters.trl._trainer import PARGRPOTrainer

        return PARGRPOTrainer
    raise AttributeError(f"module 'patarm.adapters.trl' has no attribute {name!r}")
