"""Training rows for GRPO with PAR: one row per (pair, side) holding the rendered judge prompt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patarm.data import judge_rows
from patarm.prompts import JudgePrompts
from patarm.rubrics import Router
from patarm.types import PreferencePair

__all__ = ["grpo_rows"]


def grpo_rows(
    pairs: Sequence[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    conversational: bool = True,
) -> list[dict[str, Any]]:
    """Rows ``{prompt, pair_id, role, domain, domain_source}``: chosen then rejected, side by side.

    The rows of :func:`patarm.data.judge_rows`, a pair's domain chosen by ``router`` when
    the pair has none. Wrap the list with ``datasets.Dataset.from_list`` for TRL.

    >>> rows = grpo_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")])
    >>> [(r["pair_id"], r["role"], r["domain"]) for r in rows]
    [('p', 'chosen', 'math'), ('p', 'rejected', 'math')]
    """
    return list(judge_rows(pairs, prompts, router=router, conversational=conversational))
