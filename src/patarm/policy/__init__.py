"""Deprecated alias of :mod:`patarm.policy_rewards` (and of the stack pieces that moved into the
adapters); kept for one release. Importing a name from here warns and returns the new object.

- ``JudgeReward``, ``completion_text``, ``prompt_messages`` -> :mod:`patarm.adapters.trl`;
- ``compute_score``, ``compute_score_async``, ``PROMPT_KEYS``, ``URL_ENV`` -> :mod:`patarm.adapters.verl`;
- ``ScoreInput`` -> :data:`patarm.policy_rewards.ScoreItemInput`;
- everything else -> :mod:`patarm.policy_rewards`.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

__all__: list[str] = []

_MOVED = {
    "JudgeReward": ("patarm.adapters.trl", "JudgeReward"),
    "completion_text": ("patarm.adapters.trl", "completion_text"),
    "prompt_messages": ("patarm.adapters.trl", "prompt_messages"),
    "compute_score": ("patarm.adapters.verl", "compute_score"),
    "compute_score_async": ("patarm.adapters.verl", "compute_score_async"),
    "PROMPT_KEYS": ("patarm.adapters.verl", "PROMPT_KEYS"),
    "URL_ENV": ("patarm.adapters.verl", "URL_ENV"),
    "ScoreInput": ("patarm.policy_rewards", "ScoreItemInput"),
}


def __getattr__(name: str) -> Any:
    module, new_name = _MOVED.get(name, ("patarm.policy_rewards", name))
    target = importlib.import_module(module)
    if not hasattr(target, new_name):
        raise AttributeError(f"module 'patarm.policy' has no attribute {name!r}")
    warnings.warn(
        f"patarm.policy is deprecated and goes away in the next release: use {module}.{new_name}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(target, new_name)
