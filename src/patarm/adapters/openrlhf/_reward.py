"""PAR as an OpenRLHF ``reward_func(queries, prompts, labels)`` (side-row data).

OpenRLHF calls the function once per sample, each in its own thread
(``asyncio.to_thread``); each call parses its judgment and waits at a thread rendezvous
(or the named Ray actor, ``PATARM_RENDEZVOUS=ray``, when samples of a pair run on
different vLLM engines) for the partner side. A call whose partner does not arrive in
``PATARM_TIMEOUT_S`` gets the format reward only, and ``extra_logs`` say so.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from patarm.adapters.openrlhf._labels import unpack_label
from patarm.adapters.openrlhf._settings import OpenRLHFSettings
from patarm.errors import InputError
from patarm.parsing import parse_judgment
from patarm.rendezvous import RolloutReward, shared_rendezvous

__all__ = ["PARRewardFunc", "response_text", "widen_default_executor"]

logger = logging.getLogger(__name__)


def widen_default_executor(threads: int | None = None) -> bool:
    """Give the running event loop a default thread pool large enough for waiting calls.

    Returns False (and logs why) when no loop is running in this thread.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        logger.warning(
            "patarm reward_func: no running event loop at load time; the thread pool was not widened, so more "
            "waiting calls than pool threads would only end at PATARM_TIMEOUT_S"
        )
        return False
    size = threads if threads is not None else int(os.environ.get("PATARM_REWARD_THREADS", "4096"))
    loop.set_default_executor(ThreadPoolExecutor(max_workers=size, thread_name_prefix="patarm-reward"))
    return True


def response_text(query: str, prompt: str) -> tuple[str, bool]:
    """The response part of OpenRLHF's ``query`` (prompt + response, decoded): ``(text, found)``.

    The judge prompt itself shows the answer format, so it must never be parsed as the
    judgment; when the prompt cannot be found in the query, the whole query is returned
    with ``found=False`` (the caller counts it).
    """
    at = query.rfind(prompt) if prompt else -1
    if at < 0:
        return query, False
    return query[at + len(prompt) :], True


class PARRewardFunc:
    """Callable ``(queries, prompts, labels) -> {"rewards", "scores", "extra_logs"}``."""

    def __init__(self, settings: OpenRLHFSettings | None = None) -> None:
        self.settings = settings or OpenRLHFSettings.from_env()

    def _rendezvous(self) -> Any:
        s = self.settings
        s.par.require_rollouts("set PATARM_ROLLOUTS_PER_SIDE to --rollout.n_samples_per_prompt")
        return shared_rendezvous(s.par, mode=s.rendezvous)

    def score_one(self, query: str, prompt: str, label: Any) -> tuple[RolloutReward, bool]:
        s = self.settings
        info = unpack_label(label, need=(s.pair_id_key, s.role_key))
        text, found = response_text(query, prompt)
        score = parse_judgment(text, s.scale, integer=s.integer_scores).score
        result: RolloutReward = self._rendezvous().submit(info[s.pair_id_key], info[s.role_key], score)
        return result, found

    def __call__(self, queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
        if not (len(queries) == len(prompts) == len(labels)):
            raise InputError(
                "queries, prompts and labels must have equal lengths, "
                f"got {len(queries)}, {len(prompts)}, {len(labels)}"
            )
        import torch

        results = [self.score_one(q, p, lab) for q, p, lab in zip(queries, prompts, labels, strict=True)]
        rewards = [r.reward for r, _ in results]
        infos = [{**r.to_info(), "par_prompt_not_found": float(not found)} for r, found in results]
        logs = (
            {key: torch.tensor([info[key] for info in infos], dtype=torch.float) for key in infos[0]} if infos else {}
        )
        return {
            "rewards": torch.tensor(rewards, dtype=torch.float),
            "scores": torch.tensor(rewards, dtype=torch.float),
            "extra_logs": logs,
        }
