"""verl training rows for PAR, and the pair-level shuffle order (pure Python + numpy).

verl reads a parquet whose columns pass through to the reward: ``data_source``,
``prompt`` (chat messages), ``ability``, ``reward_model`` and ``extra_info`` (which carries
``pair_id``, ``role``, ``domain`` and ``index``). Rows come pair-adjacent, chosen first.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from patarm.adapters.trl._dataset import grpo_rows
from patarm.prompts import JudgePrompts
from patarm.rendezvous import normalize_role
from patarm.rubrics import Router
from patarm.types import ROLES, PreferencePair

__all__ = ["pair_epoch_order", "pair_row_groups", "verl_rows"]


def verl_rows(
    pairs: Sequence[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    data_source: str = "patarm",
) -> list[dict[str, Any]]:
    """Two verl rows per pair (chosen, then rejected) holding the pointwise judge prompt.

    >>> rows = verl_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")])
    >>> [(r["extra_info"]["pair_id"], r["extra_info"]["role"], r["ability"]) for r in rows]
    [('p', 'chosen', 'math'), ('p', 'rejected', 'math')]
    """
    out = []
    for index, row in enumerate(grpo_rows(pairs, prompts, router=router, conversational=True)):
        out.append(
            {
                "data_source": data_source,
                "prompt": row["prompt"],
                "ability": row["domain"],
                "reward_model": {"style": "rule", "ground_truth": row["role"]},
                "extra_info": {
                    "pair_id": row["pair_id"],
                    "role": row["role"],
                    "domain": row["domain"],
                    "index": index,
                },
            }
        )
    return out


def pair_row_groups(
    pair_ids: Sequence[Hashable],
    roles: Sequence[object],
    sources: Sequence[Hashable] | None = None,
    *,
    drop_incomplete: bool = False,
) -> list[tuple[int, int]]:
    """``[(chosen_row, rejected_row), ...]`` in first-seen order; a pair needs one row of each.

    Pairs are keyed by ``(source, pair_id)``, as in the paper's PairRewardManager. A pair
    with only one side is an error naming it, or, with ``drop_incomplete``, left out (the
    caller counts it: pairs seen minus pairs returned).
    """
    if len(roles) != len(pair_ids) or (sources is not None and len(sources) != len(pair_ids)):
        raise ValueError("pair_ids, roles and sources must have one entry per row")
    seen: dict[tuple[Hashable, Hashable], list[int | None]] = {}
    for row, (pid, role) in enumerate(zip(pair_ids, roles, strict=True)):
        key = (None if sources is None else sources[row], pid)
        slot = 0 if normalize_role(role, f"row {row}, pair {pid!r}") == "chosen" else 1
        sides = seen.setdefault(key, [None, None])
        if sides[slot] is not None:
            raise ValueError(
                f"row {row}: pair {pid!r} has a second {ROLES[slot]} row (first at row {sides[slot]}); "
                "each pair needs exactly one row per side"
            )
        sides[slot] = row
    groups = []
    for (_, pid), (chosen, rejected) in seen.items():
        if chosen is not None and rejected is not None:
            groups.append((chosen, rejected))
        elif not drop_incomplete:
            have = "chosen" if chosen is not None else "rejected"
            raise ValueError(f"pair {pid!r}: only a {have} row (row {chosen if chosen is not None else rejected})")
    return groups


def pair_epoch_order(num_pairs: int, epoch: int, seed: int | None) -> np.ndarray:
    """The pair order of one epoch: a permutation, the same for the same (seed, epoch)."""
    if seed is None:
        return np.arange(num_pairs)
    rng = np.random.default_rng([int(seed), int(epoch)])
    return rng.permutation(num_pairs)
