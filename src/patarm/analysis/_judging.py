"""Judge what an analysis needs through the one judging loop (:func:`patarm.judges.judge_items`),
keeping every sample's score: resumable through ``store``, counted.

The stored judgments keep each of the k samples, so every voting rule and every k <= k_max is
computed afterwards from one run; ``voting`` is left out of the store's key for that reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from patarm.judges import JudgeCounts, PointwiseItem, PointwiseJudge, judge_items
from patarm.voting import get_voting_rule

__all__ = ["counts_dict", "judge_samples"]


def judge_samples(
    judge: PointwiseJudge,
    items: Sequence[PointwiseItem],
    *,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    chunk: int = 32,
    progress: bool | str = False,
) -> tuple[list[list[float | None]], list[float | None], JudgeCounts]:
    """Each item's sampled scores (None for a malformed sample), their vote under the judge's
    voting rule (recomputed, so a store made under another rule is reused) and the counts."""
    run = judge_items(judge, items, store=store, settings=settings, ignore=("voting",), chunk=chunk, progress=progress)
    samples = [[s.score for s in result.samples] for result in run.results]
    vote = get_voting_rule(judge.config.voting)
    return samples, [vote(scores) for scores in samples], run.counts


def counts_dict(counts: JudgeCounts) -> dict[str, Any]:
    """The counts as JSON (the first changed ids only)."""
    return asdict(counts)
