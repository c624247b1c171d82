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
import threading
from typing import Any

from verl import DataProto
from verl.experimental.reward_loop.reward_manager import register
from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase

from patarm.adapters.verl._settings import PARSettings, check_verl_config
from patarm.parsing import parse_judgment
from patarm.rendezvous import PairRendezvous, RolloutReward

__all__ = ["PARRewardLoopManager", "local_rendezvous", "trajectory_fields"]

logger = logging.getLogger("patarm.adapters.verl")

_LOCAL: dict[tuple[Any, ...], PairRendezvous] = {}
_LOCAL_LOCK = threading.Lock()


def local_rendezvous(settings: PARSettings) -> PairRendezvous:
    """The process-wide rendezvous for these settings (shared by every manager instance)."""
    key = (
        settings.rollouts_per_side,
        settings.delta,
        settings.format_reward,
        settings.timeout_s,
        settings.fallback_par,
    )
    with _LOCAL_LOCK:
        rv = _LOCAL.get(key)
        if rv is None:
            rv = _LOCAL[key] = PairRendezvous(
                settings.rollouts_per_side,
                settings.delta,
                settings.format_reward,
                settings.timeout_s,
                settings.fallback_par,
            )
        return rv


def _use_ray(mode: str) -> bool:
    if mode == "local":
        return False
    try:
        import ray
    except ImportError:
        if mode == "ray":
            raise
        return False
    return mode == "ray" or bool(ray.is_initialized())


def trajectory_fields(item: Any, settings: PARSettings) -> tuple[Any, Any, Any]:
    """``((data_source, pair_id), role, uid)`` of one DataProto item, or an error naming what is missing."""
    nt = item.non_tensor_batch
    extra = nt.get("extra_info") or {}
    pair_id = extra.get(settings.pair_id_key, nt.get(settings.pair_id_key))
    role = extra.get(settings.role_key, nt.get(settings.role_key))
    if pair_id is None or role is None:
        raise KeyError(
            f"PAR needs extra_info.{settings.pair_id_key} and extra_info.{settings.role_key} on every row "
            f"(build the parquet with `patarm data build-verl`); this row has extra_info keys {sorted(extra)} "
            f"and fields {sorted(nt)}"
        )
    source = nt.get("data_source")
    uid = nt.get("uid")
    return (None if source is None else str(source), pair_id), role, (None if uid is None else str(uid))


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
        self.settings = PARSettings.from_verl_config(config)
        self.rendezvous: Any
        if _use_ray(self.settings.rendezvous):
            from patarm.rendezvous.ray_actor import get_or_create

            s = self.settings
            self.rendezvous = get_or_create(
                s.rollouts_per_side, s.delta, s.format_reward, s.timeout_s, s.fallback_par, name=s.actor_name
            )
        else:
            self.rendezvous = local_rendezvous(self.settings)

    @classmethod
    def init_class(cls, config: Any, tokenizer: Any) -> None:
        if cls._class_initialized:
            return
        for warning in check_verl_config(config):
            logger.warning("patarm_par: %s", warning)
        cls._class_initialized = True

    def response_text(self, item: Any) -> str:
        """The valid (unpadded) response tokens of one item, decoded."""
        response_ids = item.batch["responses"]
        length = int(item.batch["attention_mask"][-response_ids.shape[-1] :].sum())
        text: str = self.tokenizer.decode(response_ids[:length], skip_special_tokens=True)
        return text

    async def score(self, item: Any) -> RolloutReward:
        key, role, uid = trajectory_fields(item, self.settings)
        text = await asyncio.get_running_loop().run_in_executor(None, self.response_text, item)
        parsed = parse_judgment(text, self.settings.scale)
        result: RolloutReward = await self.rendezvous.asubmit(key, role, parsed.score, uid)
        return result

    async def run_single(self, data: DataProto) -> dict[str, Any]:
        item = data[-1]  # multi-sequence outputs: the last sequence carries the judgment
        result = await self.score(item)
        return {"reward_score": result.reward, "reward_extra_info": result.to_info()}
