"""Training rows for GRPO with PAR: one row per (pair, side) holding the rendered judge prompt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patarm.backends import prompt_text
from patarm.prompts import JudgePrompts, prompt_as_text
from patarm.rubrics import HeuristicRouter, Router, resolve_domain
from patarm.types import PreferencePair

__all__ = ["grpo_rows"]


def grpo_rows(
    pairs: Sequence[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    conversational: bool = True,
) -> list[dict[str, Any]]:
    """Rows ``{prompt, pair_id, role, domain}``: chosen then rejected, side by side.

    ``prompt`` is the pointwise judge prompt as chat messages (``conversational=True``,
    rendered by the model's chat template in the trainer) or as plain text. Wrap the list
    with ``datasets.Dataset.from_list`` for TRL.

    >>> rows = grpo_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")])
    >>> [(r["pair_id"], r["role"], r["domain"]) for r in rows]
    [('p', 'chosen', 'math'), ('p', 'rejected', 'math')]
    """
    builder = prompts or JudgePrompts()
    route = router or HeuristicRouter()
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for index, pair in enumerate(pairs):
        if pair.pair_id in seen:
            raise ValueError(f"pair {index}: pair_id {pair.pair_id!r} appears twice; pair ids must be unique")
        seen.add(pair.pair_id)
        domain = resolve_domain(pair.domain, prompt_as_text(pair.prompt), builder.rubrics, route)
        for role in ("chosen", "rejected"):
            messages = builder.pointwise(pair.prompt, pair.response(role), domain)
            prompt: Any = messages if conversational else prompt_text(messages)
            rows.append({"prompt": prompt, "pair_id": pair.pair_id, "role": role, "domain": domain})
    return rows
