"""PAR for the legacy batch reward managers (``verl.workers.reward_manager``, the API of
verl < 0.8 trainers, still importable in 0.9): the paper's PairRewardManager semantics.

The whole step's batch arrives at once: rollouts are grouped by ``(data_source, pair_id)``
and side, PAR + format is computed with the core's batch PAR, and each reward is placed on
the last valid response token. A pair with one side missing from the batch gets the format
reward only and is counted (``par_incomplete``), never silently scored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from verl import DataProto
from verl.workers.reward_manager import register
from verl.workers.reward_manager.abstract import AbstractRewardManager

from patarm.adapters.verl._settings import VerlSettings
from patarm.adapters.verl._trajectory import judged_score, pair_key
from patarm.rewards import pair_index, par_batch
from patarm.sampling import chosen_mask

__all__ = ["PairRewardManager"]


@register("patarm_pair")
class PairRewardManager(AbstractRewardManager):  # type: ignore[misc]
    """Batch PAR + format over a DataProto; options as keyword arguments (``reward_kwargs``),
    the same names as the reward loop's ``reward.patarm`` options. ``num_examine`` is accepted
    for verl's signature; nothing is printed."""

    def __init__(
        self,
        tokenizer: Any,
        num_examine: int = 0,
        compute_score: Any = None,
        reward_fn_key: str = "data_source",
        **options: Any,
    ) -> None:
        self.tokenizer = tokenizer
        self.reward_fn_key = reward_fn_key
        self.settings = VerlSettings.from_mapping(options)  # n is read off the batch
        self.last_stats: dict[str, float] = {}

    def __call__(self, data: DataProto, return_dict: bool = False) -> torch.Tensor | dict[str, Any]:
        if "rm_scores" in data.batch.keys():  # noqa: SIM118 (a TensorDict)
            return self._extract_reward_from_rm_scores(data, return_dict)  # type: ignore[no-any-return]
        responses = data.batch["responses"]
        prompt_length = data.batch["prompts"].shape[-1]
        valid = data.batch["attention_mask"][:, prompt_length:].sum(dim=-1)
        fields = data.non_tensor_batch
        keys, roles, scores = [], [], []
        for i in range(len(data)):
            row = {"extra_info": fields["extra_info"][i] if "extra_info" in fields else None}
            row["data_source"] = fields[self.reward_fn_key][i] if self.reward_fn_key in fields else None
            for name in (self.settings.pair_id_key, self.settings.role_key):
                if name in fields:
                    row[name] = fields[name][i]
            key, role = pair_key(row, self.settings, f"row {i}")
            keys.append(key)
            roles.append(role)
            scores.append(judged_score(self.tokenizer, responses[i], int(valid[i]), self.settings))
        out = par_batch(
            scores, keys, roles, self.settings.par.delta, self.settings.par.format_reward, allow_missing_side=True
        )
        reward_tensor = torch.zeros_like(responses, dtype=torch.float32)
        rows = torch.arange(len(data))
        reward_tensor[rows, (valid - 1).clamp(min=0)] = torch.as_tensor(out.total, dtype=torch.float32)
        self.last_stats = out.stats.to_metrics()
        if not return_dict:
            return reward_tensor
        extra_info: dict[str, Any] = {
            "par_score": np.array([np.nan if s is None else s for s in scores], dtype=np.float64),
            "par_malformed": np.array([float(s is None) for s in scores]),
            "par_par": out.par,
            "par_format": out.format,
            "par_incomplete": _incomplete_rows(keys, out.stats.num_pairs, roles),
        }
        return {"reward_tensor": reward_tensor, "reward_extra_info": extra_info}


def _incomplete_rows(keys: list[Any], num_pairs: int, roles: list[Any]) -> np.ndarray:
    """1.0 for each row whose pair lacks a side in this batch."""
    group, _ = pair_index(keys)
    chosen = chosen_mask(roles, len(roles))
    has_chosen = np.bincount(group, weights=chosen, minlength=num_pairs) > 0
    has_rejected = np.bincount(group, weights=~chosen, minlength=num_pairs) > 0
    return (~(has_chosen & has_rejected)[group]).astype(np.float64)
