"""verl training rows for PAR (pure Python).

verl reads a parquet whose columns pass through to the reward: ``data_source``,
``prompt`` (chat messages), ``ability``, ``reward_model`` and ``extra_info`` (which carries
``pair_id``, ``role``, ``domain`` and ``index``). Rows come pair-adjacent, chosen first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patarm.data import judge_rows
from patarm.prompts import JudgePrompts
from patarm.rubrics import Router
from patarm.types import PreferencePair

__all__ = ["verl_rows"]


def verl_rows(
    pairs: Sequence[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    data_source: str = "patarm",
) -> list[dict[str, Any]]:
    """Two verl rows per pair (chosen, then rejected) from :func:`patarm.data.judge_rows`.

    >>> rows = verl_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")])
    >>> [(r["extra_info"]["pair_id"], r["extra_info"]["role"], r["ability"]) for r in rows]
    [('p', 'chosen', 'math'), ('p', 'rejected', 'math')]
    """
    return [
        {
            "data_source": data_source,
            "prompt": row["prompt"],
            "ability": row["domain"],
            "reward_model": {"style": "rule", "ground_truth": row["role"]},
            "extra_info": {"pair_id": row["pair_id"], "role": row["role"], "domain": row["domain"], "index": index},
        }
        for index, row in enumerate(judge_rows(pairs, prompts, router=router))
    ]
