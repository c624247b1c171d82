"""The ``Judge`` protocol: what every judging command needs from a judge.

A judge takes items (:class:`PointwiseItem` or :class:`PairwiseItem`) in batches and returns
one result per item, in order; :meth:`Judge.settings` says what shapes its judgments, so a
stored judgment is reused only under the same settings. :class:`PointwiseJudge` and
:class:`PairwiseJudge` are judges; so is any object with these three members.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from patarm.judges._pairwise import PairwiseItem
from patarm.judges._pointwise import PointwiseItem
from patarm.judges._results import PairwiseResult, PointwiseResult

__all__ = ["Judge", "JudgeItem", "JudgeResult", "ItemT", "ResultT"]

JudgeItem = PointwiseItem | PairwiseItem
JudgeResult = PointwiseResult | PairwiseResult
ItemT = TypeVar("ItemT", PointwiseItem, PairwiseItem, contravariant=True)
ResultT = TypeVar("ResultT", PointwiseResult, PairwiseResult, covariant=True)


@runtime_checkable
class Judge(Protocol[ItemT, ResultT]):
    """A pointwise (``Judge[PointwiseItem, PointwiseResult]``) or pairwise
    (``Judge[PairwiseItem, PairwiseResult]``) judge."""

    @property
    def mode(self) -> str:
        """``"pointwise"`` or ``"pairwise"``."""
        ...

    def settings(self) -> dict[str, Any]:
        """What shapes a judgment (prompts, sampling, seed), as plain JSON values."""
        ...

    def judge_many(self, items: Sequence[ItemT], *, progress: bool = False) -> Sequence[ResultT]:
        """One result per item, in order."""
        ...
