"""Point OpenRLHF here: ``--reward.remote_url /path/to/patarm/adapters/openrlhf/reward_func.py``.

Defines ``reward_func(queries, prompts, labels)``: PAR + format for side-row data (labels
from ``patarm data build-openrlhf --mode side-row``), options from ``PATARM_*`` variables.
Print the path with ``python -m patarm.adapters.openrlhf``.

OpenRLHF runs each call in the event loop's default thread pool, and a call here waits
for its partner: with the stock pool (``cpu_count + 4`` threads, at most 32) waiting calls
could hold every thread while their partners queue behind them. Loaded inside OpenRLHF's
async engine actor, this file therefore gives that loop a pool of ``PATARM_REWARD_THREADS``
(default 4096; threads start only when needed).
"""

from __future__ import annotations

from typing import Any

from patarm.adapters.openrlhf._reward import PARRewardFunc, widen_default_executor

POOL_WIDENED = widen_default_executor()

_FUNC: PARRewardFunc | None = None


def reward_func(queries: Any, prompts: Any, labels: Any) -> dict[str, Any]:
    """OpenRLHF's reward hook; the callable is built on first use (settings read then)."""
    global _FUNC
    if _FUNC is None:
        _FUNC = PARRewardFunc()
    return _FUNC(queries, prompts, labels)
