"""Pair-row PAR for OpenRLHF: an agent executor (``--train.agent_func_path``) that judges
both sides of a pair inside one prompt's samples, so the pair is always in one rollout step.

With ``--rollout.n_samples_per_prompt 2n`` OpenRLHF runs 2n ``execute`` calls for one
pair row concurrently on one engine; this executor gives the first n the chosen side's
judge prompt and the last n the rejected side's, generates, parses, and meets the pair at
an in-process rendezvous (the 2n calls share one event loop: no cross-process wait). The
returned ``reward`` is PAR + format, minus its side's mean reward when
``PATARM_CENTER_BY_SIDE=1`` (default): OpenRLHF's group baseline then acts per side, as
GRPO with one group per judge prompt does; ``scores`` keep the uncentred reward.
"""

from __future__ import annotations

from typing import Any

from patarm.adapters.openrlhf._labels import unpack_label
from patarm.adapters.openrlhf._settings import OpenRLHFSettings
from patarm.parsing import parse_judgment
from patarm.rendezvous import PairRendezvous, RolloutReward

__all__ = ["PairAgentCore"]


class PairAgentCore:
    """The executor's logic without OpenRLHF's base class (which the module file adds)."""

    def __init__(self, settings: OpenRLHFSettings | None = None) -> None:
        self.settings = settings or OpenRLHFSettings.from_env()
        self.n = self.settings.par.require_rollouts(
            "set PATARM_ROLLOUTS_PER_SIDE to half of --rollout.n_samples_per_prompt "
            "(pair rows: the first n samples judge the chosen side, the last n the rejected side)"
        )
        self.rendezvous = PairRendezvous(self.settings.par)
        self._claims: dict[str, int] = {}  # samples claimed so far, per pair (one event loop: no lock)

    def claim(self, label: Any) -> tuple[dict[str, Any], str, int]:
        """``(label fields, side, generation)`` for the next sample of this pair row.

        Samples of one row are claimed in the order OpenRLHF creates them (synchronously,
        before the first await), so sample k < n is chosen and n <= k < 2n rejected.
        """
        info = unpack_label(label, need=("pair_id", "chosen_messages", "rejected_messages"))
        key = str(info["pair_id"])
        k = self._claims.get(key, 0)
        self._claims[key] = k + 1
        generation, slot = divmod(k, 2 * self.n)
        return info, ("chosen" if slot < self.n else "rejected"), generation

    @staticmethod
    def render(messages: Any, hf_tokenizer: Any) -> str:
        """The judge prompt through the policy's chat template (as OpenRLHF renders inputs)."""
        text: str = hf_tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return text

    async def reward(self, info: dict[str, Any], role: str, generation: int, response: str) -> RolloutReward:
        score = parse_judgment(response, self.settings.scale, integer=self.settings.integer_scores).score
        result: RolloutReward = await self.rendezvous.asubmit(info["pair_id"], role, score, group=generation)
        return result

    def finish(self, output: dict[str, Any], result: RolloutReward, role: str) -> dict[str, Any]:
        """Fill OpenRLHF's output dict: reward (centred if asked), scores and extra logs."""
        reward = result.reward
        if self.settings.center_by_side and result.side_mean_reward is not None:
            reward = result.reward - result.side_mean_reward
        logs = {**result.to_info(), "par_chosen_side": float(role == "chosen")}
        output.update(reward=reward, scores=result.reward, extra_logs=logs)
        return output
