"""PAR for the legacy batch reward managers (``verl.workers.reward_manager``, the API of
verl < 0.8 trainers, still importable in 0.9): the paper's PairRewardManager semantics.

The whole step's batch arrives at once: rollouts are grouped by ``(data_source, pair_id)``
and side, PAR + format is computed with the core's batch PAR, and each reward is placed on
the last valid response token. A pair with one side missing from the batch gets the format
reward only and is counted (``par_incomplete``), never silently scored.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import torch
from verl import DataProto
from verl.workers.reward_manager import register
from verl.workers.reward_manager.abstract import AbstractRewardManager

from patarm.adapters.verl._settings import PARSettings
from patarm.parsing import parse_judgment
from patarm.rendezvous import normalize_role
from patarm.rewards import par_batch

__all__ = ["PairRewardManager"]


@register("patarm_pair")
class PairRewardManager(AbstractRewardManager):  # type: ignore[misc]
    """Batch PAR + format over a DataProto; options as keyword arguments (``reward_kwargs``)."""

    def __init__(
        self,
        tokenizer: Any,
        num_examine: int = 0,
        compute_score: Any = None,
        reward_fn_key: str = "data_source",
        rollouts_per_side: int = 1,
        **options: Any,
    ) -> None:
        self.tokenizer = tokenizer
        self.num_examine = num_examine
        self.reward_fn_key = reward_fn_key
        self.settings = PARSettings.from_mapping(options, rollouts_per_side)
        self.last_stats: dict[str, float] = {}

    def __call__(self, data: DataProto, return_dict: bool = False) -> torch.Tensor | dict[str, Any]:
        if "rm_scores" in data.batch.keys():  # noqa: SIM118 (a TensorDict)
            return self._extract_reward_from_rm_scores(data, return_dict)  # type: ignore[no-any-return]
        responses = data.batch["responses"]
        prompt_length = data.batch["prompts"].shape[-1]
        valid = data.batch["attention_mask"][:, prompt_length:].sum(dim=-1)
        keys, roles, scores = [], [], []
        for i in range(len(data)):
            nt = {k: v[i] for k, v in data.non_tensor_batch.items()}
            extra = nt.get("extra_info") or {}
            pair_id = extra.get(self.settings.pair_id_key, nt.get(self.settings.pair_id_key))
            role = extra.get(self.settings.role_key, nt.get(self.settings.role_key))
            if pair_id is None or role is None:
                raise KeyError(
                    f"row {i}: PAR needs extra_info.{self.settings.pair_id_key} and "
                    f"extra_info.{self.settings.role_key} "
                    f"(build the parquet with `patarm data build-verl`); extra_info keys: {sorted(extra)}"
                )
            keys.append(f"{nt.get(self.reward_fn_key)}\x1f{pair_id}")
            roles.append(role)
            text = self.tokenizer.decode(responses[i][: int(valid[i])], skip_special_tokens=True)
            scores.append(parse_judgment(text, self.settings.scale).score)
        out = par_batch(scores, keys, roles, self.settings.delta, self.settings.format_reward, allow_missing_side=True)
        reward_tensor = torch.zeros_like(responses, dtype=torch.float32)
        rows = torch.arange(len(data))
        reward_tensor[rows, (valid - 1).clamp(min=0)] = torch.as_tensor(out.total, dtype=torch.float32)
        self.last_stats = out.stats.to_metrics()
        if not return_dict:
            return reward_tensor
        incomplete = _incomplete_rows(keys, roles)
        extra_info: dict[str, Any] = {
            "par_score": np.array([np.nan if s is None else s for s in scores], dtype=np.float64),
            "par_malformed": np.array([float(s is None) for s in scores]),
            "par_par": out.par,
            "par_format": out.format,
            "par_incomplete": incomplete,
        }
        return {"reward_tensor": reward_tensor, "reward_extra_info": extra_info}


def _incomplete_rows(keys: list[str], roles: list[Any]) -> np.ndarray:
    sides: dict[str, set[str]] = defaultdict(set)
    for key, role in zip(keys, roles, strict=True):
        sides[key].add(normalize_role(role))
    return np.array([float(len(sides[k]) < 2) for k in keys])
