"""Point OpenRLHF here: ``--train.agent_func_path /path/to/patarm/adapters/openrlhf/pair_agent.py``.

Defines ``AgentExecutor``: pair-row PAR (data from ``patarm data build-openrlhf --mode
pair-row``), both sides of every pair judged within one prompt's 2n samples. Set
``--rollout.n_samples_per_prompt`` to 2n and ``PATARM_ROLLOUTS_PER_SIDE=n``.
"""

from __future__ import annotations

from typing import Any

from openrlhf.utils.agent import AgentExecutorBase, SingleTurnAgentExecutor

from patarm.adapters.openrlhf._pair_agent import PairAgentCore


class AgentExecutor(AgentExecutorBase):  # type: ignore[misc]
    """Generates one sample of a pair row's chosen or rejected side, then its PAR reward."""

    def __init__(self) -> None:
        self.core = PairAgentCore()
        self.generate = SingleTurnAgentExecutor(None)  # generation only: the reward is ours

    async def execute(
        self,
        prompt: Any,
        label: Any,
        sampling_params: Any,
        max_length: int,
        hf_tokenizer: Any,
        llm_engine: Any,
        images: Any = None,
    ) -> dict[str, Any]:
        info, role, generation = self.core.claim(label)
        side_prompt = self.core.render(info[f"{role}_messages"], hf_tokenizer)
        output: dict[str, Any] = await self.generate.execute(
            side_prompt, label, sampling_params, max_length, hf_tokenizer, llm_engine, images
        )
        start, end = output["action_ranges"][0]
        response = hf_tokenizer.decode(output["observation_tokens"][start:end], skip_special_tokens=True)
        result = await self.core.reward(info, role, generation, response)
        return self.core.finish(output, result, role)
