"""verl adapter (extra ``verl``, written for verl 0.9.x): PAR training in verl's trainer.

- :class:`PARRewardLoopManager` (``patarm_par``): the reward-loop manager; each
  per-trajectory call meets its pair's partner side at a rendezvous (in-process, or a
  named Ray actor across reward workers) with a timeout that falls back and counts;
- :class:`PairShuffledDataset`: ``data.custom_cls`` keeping pairs in one batch, shuffled by pair;
- :class:`PairRewardManager` (``patarm_pair``): the legacy batch manager (older verl; registered
  only where verl still has its legacy reward managers);
- :func:`verl_rows`, :func:`check_verl_config`, :class:`VerlSettings`: rows, config check, options
  (the PAR settings in it are :class:`patarm.rewards.PARSettings`);
- :func:`compute_score` / :func:`compute_score_async`: a trained judge (a running ``patarm serve``,
  or the judge servers verl starts in its own reward-model pool) as verl's custom reward function
  for POLICY training.

verl is imported only when one of the three classes is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patarm.adapters.verl._judge_score import PROMPT_KEYS, URL_ENV, compute_score, compute_score_async
from patarm.adapters.verl._rows import verl_rows
from patarm.adapters.verl._settings import PairConfigError, VerlSettings, check_verl_config, config_get

if TYPE_CHECKING:
    from patarm.adapters.verl._dataset import PairShuffledDataset
    from patarm.adapters.verl._legacy import PairRewardManager
    from patarm.adapters.verl._reward_loop import PARRewardLoopManager

__all__ = [
    "PROMPT_KEYS",
    "URL_ENV",
    "PARRewardLoopManager",
    "PairConfigError",
    "PairRewardManager",
    "PairShuffledDataset",
    "VerlSettings",
    "check_verl_config",
    "compute_score",
    "compute_score_async",
    "config_get",
    "verl_rows",
]

_LAZY = {
    "PARRewardLoopManager": "patarm.adapters.verl._reward_loop",
    "PairRewardManager": "patarm.adapters.verl._legacy",
    "PairShuffledDataset": "patarm.adapters.verl._dataset",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'patarm.adapters.verl' has no attribute {name!r}")
    from patarm._extras import require

    require("verl", "verl")
    import importlib

    return getattr(importlib.import_module(module), name)
