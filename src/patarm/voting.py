"""Aggregate k sampled judgments into one score or one verdict.

Every rule skips malformed samples (None) explicitly and returns None when nothing is
left, so a failure is never read as a low score. All rules are independent of the order
of their inputs (exact rational means, fsum), which the property tests check.

>>> mean_vote([7, 8, None]), median_vote([1, 9, 4]), majority_vote(["a", "b", "a", None])
(7.5, 4.0, 'a')
>>> expected_score({"7": 0.5, "9": 0.5, "x": 0.3})
8.0
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from numbers import Real
from typing import Literal, TypeVar

from patarm.errors import ConfigError
from patarm.parsing import DEFAULT_SCALE, Scale, check_scale

__all__ = [
    "VOTING_RULES",
    "expected_score",
    "get_voting_rule",
    "majority_vote",
    "mean_vote",
    "median_vote",
    "preferences_from_scores",
]

T = TypeVar("T", bound=Hashable)
ScoreVote = Callable[[Sequence[float | None]], float | None]


def _well_formed(scores: Sequence[float | None]) -> list[float]:
    out: list[float] = []
    for i, s in enumerate(scores):
        if s is None:
            continue
        if isinstance(s, bool) or not isinstance(s, Real) or not math.isfinite(s):
            raise ConfigError(f"scores[{i}]: expected a finite number or None (malformed), got {s!r}")
        out.append(float(s))
    return out


def mean_vote(scores: Sequence[float | None]) -> float | None:
    """Average voting: the exact mean of the well-formed scores, rounded once.

    Args:
        scores: One score per sampled judgment; None for a malformed sample, which is skipped.

    Returns:
        The mean as a float, or None when no sample is well formed.

    Raises:
        ValueError: An entry is neither None nor a finite real number (NaN, inf, a bool, a
            string): a bug upstream, never a vote.
    """
    kept = _well_formed(scores)
    return float(statistics.mean(kept)) if kept else None


def median_vote(scores: Sequence[float | None]) -> float | None:
    """The median of the well-formed scores (mean of the middle two for an even count).

    Args:
        scores: One score per sampled judgment; None for a malformed sample, which is skipped.

    Returns:
        The median as a float, or None when no sample is well formed.

    Raises:
        ValueError: An entry is neither None nor a finite real number (NaN, inf, a bool, a
            string): a bug upstream, never a vote.
    """
    kept = _well_formed(scores)
    return float(statistics.median(kept)) if kept else None


def majority_vote(votes: Sequence[T | None]) -> T | None:
    """The option preferred most often. None votes (ties, failures) are excluded, as in
    the paper; a tie for the most votes, or no votes at all, gives None.

    Args:
        votes: One vote per sample: any hashable option (``"a"`` / ``"b"`` from
            :func:`preferences_from_scores`, a label); None for a tie or a failed sample.

    Returns:
        The option with strictly more votes than any other, or None.
    """
    counts = Counter(v for v in votes if v is not None)
    if not counts:
        return None
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def preferences_from_scores(
    scores_a: Sequence[float | None], scores_b: Sequence[float | None]
) -> list[Literal["a", "b"] | None]:
    """Per-sample preference between two responses scored k times each: ``"a"``, ``"b"``,
    or None for a tie or a malformed sample. Feed the result to :func:`majority_vote`.

    Args:
        scores_a: Response A's score in each of the k samples; None where malformed.
        scores_b: Response B's scores, sample i compared with sample i of A.

    Returns:
        k preferences: ``"a"`` where A scored higher, ``"b"`` where B did, None where the
        scores are equal or either is None.

    Raises:
        ValueError: The two sides differ in length, or a score is neither None nor a finite
            number.
    """
    if len(scores_a) != len(scores_b):
        raise ConfigError(f"need one score per sample on both sides, got {len(scores_a)} and {len(scores_b)}")
    _well_formed(scores_a), _well_formed(scores_b)
    out: list[Literal["a", "b"] | None] = []
    for a, b in zip(scores_a, scores_b, strict=True):
        if a is None or b is None or a == b:
            out.append(None)
        else:
            out.append("a" if a > b else "b")
    return out


def _score_value(key: object) -> float | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, (int, float)):
        return float(key)
    if isinstance(key, str):
        try:
            return float(key.strip())
        except ValueError:
            return None
    return None


def expected_score(
    distribution: Mapping[str, float] | Mapping[float, float] | Mapping[int, float],
    scale: Scale = DEFAULT_SCALE,
    *,
    logprobs: bool = False,
) -> float | None:
    """Expected score under the judge's distribution over score values (tie-aware scoring).

    Keys are score values or score tokens (``"7"``, ``" 7"``); keys that are not numbers on
    the scale are ignored and the rest renormalised. Values are probabilities, or
    log-probabilities with ``logprobs=True``. None when no mass falls on the scale.

    Args:
        distribution: Weight per score value or score token, e.g. the top log-probabilities
            of the judge's answer token.
        scale: ``(low, high)``, both ends inclusive; keys outside it are ignored. Default
            ``(1, 10)``.
        logprobs: The weights are natural-log probabilities (``-inf`` for no mass), not
            probabilities; they need not be normalised either way.

    Returns:
        The weighted mean score, clamped to the scale, or None when no mass falls on it.

    Raises:
        ValueError: A weight is NaN, a negative or infinite probability, or a log-probability
            of +inf; or ``scale`` is invalid.
    """
    lo, hi = check_scale(scale)
    pairs: list[tuple[float, float]] = []
    for key, weight in distribution.items():
        w = float(weight)
        if math.isnan(w) or (not logprobs and (w < 0 or math.isinf(w))) or (logprobs and w == math.inf):
            kind = "log-probability" if logprobs else "probability"
            raise ConfigError(f"distribution[{key!r}]: expected a valid {kind}, got {weight!r}")
        value = _score_value(key)
        if value is not None and math.isfinite(value) and lo <= value <= hi:
            pairs.append((value, w))
    if logprobs:
        finite = [w for _, w in pairs if w != -math.inf]
        if not finite:
            return None
        top = max(finite)
        pairs = [(v, math.exp(w - top)) for v, w in pairs]
    mass = math.fsum(w for _, w in pairs)
    if not mass > 0:
        return None
    mean = math.fsum(v * w for v, w in pairs) / mass
    return min(hi, max(lo, mean))


VOTING_RULES: dict[str, ScoreVote] = {"mean": mean_vote, "median": median_vote}


def get_voting_rule(name: str) -> ScoreVote:
    """A score-voting rule by name (for the CLI and configs)."""
    try:
        return VOTING_RULES[name]
    except KeyError:
        raise ConfigError(f"unknown voting rule {name!r}; known: {', '.join(sorted(VOTING_RULES))}") from None
