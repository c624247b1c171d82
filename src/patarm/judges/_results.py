"""What judges return: typed, serialisable to one JSON line each."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from patarm.types import Judgment, MalformedReason

__all__ = ["PairwiseResult", "PairwiseSample", "PointwiseResult", "OrderResult"]

CriteriaSource = Literal["inline", "cached", "none"]


class PointwiseResult(BaseModel):
    """k judgments of one response, and their vote.

    ``score`` is the vote over well-formed samples (None when none parsed);
    ``expected_score`` the mean expected score over samples that gave one (None if none).
    """

    model_config = ConfigDict(frozen=True)

    score: float | None
    expected_score: float | None = None
    domain: str
    samples: list[Judgment]
    malformed: int
    criteria_source: CriteriaSource
    generated_tokens: int | None = None

    @property
    def failed(self) -> bool:
        """No sample gave a score: the judgment failed (counted, never read as a score)."""
        return self.score is None


class PairwiseSample(BaseModel):
    """One pairwise rollout: a score per response (in display order) or why it failed."""

    model_config = ConfigDict(frozen=True)

    score_a: float | None
    score_b: float | None
    criteria: str | None = None
    rationale: str | None = None
    raw: str
    malformed_reason: MalformedReason | None = None


class OrderResult(BaseModel):
    """The samples of one presentation order, mapped back to the caller's A and B."""

    model_config = ConfigDict(frozen=True)

    a_first: bool
    score_a: float | None
    score_b: float | None
    winner: Literal["a", "b"] | None
    samples: list[PairwiseSample]


class PairwiseResult(BaseModel):
    """A verdict on two responses. With both orders judged, ``agreement`` says whether the two
    orders picked the same winner (False exposes position bias, and an order whose judgment
    failed never agrees); None with one order."""

    model_config = ConfigDict(frozen=True)

    winner: Literal["a", "b"] | None
    score_a: float | None
    score_b: float | None
    agreement: bool | None
    domain: str
    orders: list[OrderResult]
    malformed: int
    generated_tokens: int | None = None

    @property
    def failed(self) -> bool:
        """An order gave no score for a side: the verdict failed (a failure in every figure)."""
        return any(o.score_a is None or o.score_b is None for o in self.orders) or not self.orders
