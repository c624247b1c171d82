"""PAR in verl's reward loop (verl >= 0.9): a reward manager whose per-trajectory call
parses the judgment, meets the partner side of its pair at a rendezvous, and returns
PAR + format with per-trajectory statistics in ``reward_extra_info``.

Registered as ``patarm_par`` in ``verl.experimental.reward_loop.reward_manager`` (through
patarm's ``verl.plugins`` entry point, or by importing this module), and loadable with
``reward.reward_manager.source=importlib``, ``module.path=pkg://patarm.adapters.verl``,
``name=PARRewardLoopManager``. Options live under ``+reward.patarm.*``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from verl import DataProto
from verl.experimental.reward_loop.reward_manager import register
from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase

from patarm.adapters.verl._settings import VerlSettings, check_verl_config
from patarm.adapters.verl._trajectory import judged_score, pair_key
from patarm.rendezvous import RolloutReward, shared_rendezvous

__all__ = ["PARRewardLoopManager"]

logger = logging.getLogger("patarm.adapters.verl")


@register("patarm_par")
class PARRewardLoopManager(RewardManagerBase):  # type: ignore[misc]
    """verl reward-loop manager computing PAR + format for one trajectory at a time."""

    def __init__(
        self,
        config: Any,
        tokenizer: Any,
        compute_score: Any = None,
        reward_router_address: str | None = None,
        reward_model_tokenizer: Any = None,
        **_: Any,
    ) -> None:
        super().__init__(config, tokenizer, compute_score)
        s = self.settings = VerlSettings.from_verl_config(config)
        self.rendezvous = shared_rendezvous(s.par, mode=s.rendezvous, actor_name=s.actor_name)

    @classmethod
    def init_class(cls, config: Any, tokenizer: Any) -> None:
        if cls._class_initialized:
            return
        for warning in check_verl_config(config):
            logger.warning("patarm_par: %s", warning)
        cls._class_initialized = True

    def _score(self, item: Any) -> float | None:
        response_ids = item.batch["responses"]
        length = int(item.batch["attention_mask"][-response_ids.shape[-1] :].sum())
        return judged_score(self.tokenizer, response_ids, length, self.settings)

    async def score(self, item: Any) -> RolloutReward:
        """Parse this trajectory's judgment, then wait for the rest of its pair."""
        key, role = pair_key(item.non_tensor_batch, self.settings, "this trajectory")
        uid = item.non_tensor_batch.get("uid")
        score = await asyncio.get_running_loop().run_in_executor(None, self._score, item)
        result: RolloutReward = await self.rendezvous.asubmit(key, role, score, None if uid is None else str(uid))
        return result

    async def run_single(self, data: DataProto) -> dict[str, Any]:
        item = data[-1]  # multi-sequence outputs: the last sequence carries the judgment
        result = await self.score(item)
        return {"reward_score": result.reward, "reward_extra_info": result.to_info()}
