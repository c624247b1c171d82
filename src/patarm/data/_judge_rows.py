"""Judge-prompt rows: one row per (pair, side) holding the rendered pointwise judge prompt.

The one builder behind every training corpus: TRL's :func:`patarm.adapters.trl.grpo_rows`,
verl's and OpenRLHF's row functions and the RL corpus (:func:`patarm.data.rl_rows`) map
over these rows.

>>> from patarm.types import PreferencePair
>>> rows = judge_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")])
>>> [(r["pair_id"], r["role"], r["domain"], r["domain_source"]) for r in rows]
[('p', 'chosen', 'math', 'heuristic'), ('p', 'rejected', 'math', 'heuristic')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from patarm.backends import prompt_text
from patarm.data._domains import DomainLabeler
from patarm.errors import InputError
from patarm.prompts import JudgePrompts
from patarm.rubrics import HeuristicRouter, Router
from patarm.types import ROLES, PreferencePair

__all__ = ["judge_rows"]


def judge_rows(
    pairs: Iterable[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    labeler: DomainLabeler | None = None,
    conversational: bool = True,
) -> Iterator[dict[str, Any]]:
    """Rows ``{prompt, pair_id, role, domain, domain_source}``, chosen then rejected, lazily.

    ``prompt`` is the judge prompt as chat messages (``conversational=True``, rendered by
    the model's chat template in the trainer) or as plain text. A pair's own domain is
    kept (it must be a known rubric), else ``labeler`` picks one (by default ``router``,
    :class:`~patarm.rubrics.HeuristicRouter` unless given). A pair id seen twice is
    an error naming the pair's position. A pair's reference answer (``pair.reference``) goes
    into its judge prompt's reference block.
    """
    builder = prompts or JudgePrompts()
    label = labeler or DomainLabeler(router=router or HeuristicRouter(), rubrics=builder.rubrics)
    seen: set[str] = set()
    for index, pair in enumerate(pairs):
        if pair.pair_id in seen:
            raise InputError(f"pair {index}: pair_id {pair.pair_id!r} appears twice; pair ids must be unique")
        seen.add(pair.pair_id)
        domain, source = label.label(pair)
        for role in ROLES:
            messages = builder.pointwise(pair.prompt, pair.response(role), domain, reference=pair.reference)
            prompt: Any = messages if conversational else prompt_text(messages)
            yield {"prompt": prompt, "pair_id": pair.pair_id, "role": role, "domain": domain, "domain_source": source}
