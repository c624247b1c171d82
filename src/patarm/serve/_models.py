"""The server's request and response bodies, typed (pydantic): bad input fails with the field named.

- ``POST /v1/score``: :class:`ScoreRequest` -> :class:`ScoreResponse` (one :class:`ScoreResult` per item);
- ``POST /get_reward``: OpenRLHF's :class:`RewardRequest` -> :class:`RewardResponse`;
- every error: :class:`ErrorBody`.

>>> ScoreRequest.model_validate({"items": [{"prompt": "Say hi.", "response": "Hi!"}]}).items[0].domain is None
True
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from patarm.judges import PointwiseResult
from patarm.types import ChatMessage, Judgment, MalformedReason

__all__ = [
    "ErrorBody",
    "RewardRequest",
    "RewardResponse",
    "ScoreItem",
    "ScoreRequest",
    "ScoreResponse",
    "ScoreResult",
    "score_result",
]


class ScoreItem(BaseModel):
    """One response to judge: the prompt (text or chat messages), the response, an optional domain
    and an optional ``reference`` answer the judge compares the response against."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str | list[ChatMessage] = Field(min_length=1)
    response: str
    domain: str | None = None
    reference: str | None = None


class ScoreRequest(BaseModel):
    """A batch of items; ``include_samples`` also returns every judge sample (criteria, rationale, raw text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[ScoreItem] = Field(min_length=1)
    include_samples: bool = False


class ScoreResult(BaseModel):
    """One item's judgment.

    ``score``: the vote over parsed samples (None when none parsed, and ``malformed_reason`` says
    why); ``expected_score`` when the server computes it; ``criteria`` and ``rationale`` from the
    first parsed sample (else the first sample); ``malformed`` of ``samples`` samples did not parse.
    """

    model_config = ConfigDict(frozen=True)

    score: float | None
    expected_score: float | None = None
    domain: str
    criteria: str | None = None
    rationale: str | None = None
    malformed: int
    samples: int
    malformed_reason: MalformedReason | None = None
    judgments: list[Judgment] | None = None


class ScoreResponse(BaseModel):
    """One result per request item, in order, and the judge's score scale."""

    model_config = ConfigDict(frozen=True)

    results: list[ScoreResult]
    scale: tuple[float, float]


class RewardRequest(BaseModel):
    """OpenRLHF's remote reward request: ``query`` (decoded prompt + response, chat template
    included), ``prompts`` (the prompt text of each query) and ``labels`` (``--data.label_key``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    query: list[str] = Field(min_length=1)
    prompts: list[str | None] | None = None
    labels: list[Any] | None = None


class RewardResponse(BaseModel):
    """``rewards`` for the advantage, ``scores`` on [0, 1] (for OpenRLHF's dynamic filtering),
    ``extra_logs``: one number per sample per key (OpenRLHF logs their means)."""

    model_config = ConfigDict(frozen=True)

    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


class ErrorBody(BaseModel):
    """Every error response: a stable ``error`` code and a ``message`` saying what to change."""

    error: str
    message: str
    detail: list[dict[str, Any]] | None = None


def score_result(result: PointwiseResult, *, include_samples: bool = False) -> ScoreResult:
    """A judge result as the API reports it.

    >>> from patarm.parsing import parse_judgment
    >>> judged = parse_judgment("<rationale>Clear.</rationale><answer>8</answer>")
    >>> result = PointwiseResult(score=8, domain="chat", samples=[judged], malformed=0, criteria_source="none")
    >>> score_result(result).rationale
    'Clear.'
    """
    shown = next((j for j in result.samples if j.score is not None), result.samples[0] if result.samples else None)
    return ScoreResult(
        score=result.score,
        expected_score=result.expected_score,
        domain=result.domain,
        criteria=shown.criteria if shown else None,
        rationale=shown.rationale if shown else None,
        malformed=result.malformed,
        samples=len(result.samples),
        malformed_reason=None if result.score is not None or shown is None else shown.malformed_reason,
        judgments=list(result.samples) if include_samples else None,
    )
