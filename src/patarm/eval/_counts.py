"""What every report counts: rows, judgments, comparisons, ties and failures.

Ties and failures are counted beside every accuracy because a pointwise judge with integer
scores ties often, and a tie is wrong on every benchmark.

>>> from patarm.eval._rows import RowScores
>>> counts = tally([RowScores("1", (7.0,), (7.0,)), RowScores("2", (None,), (3.0,))])
>>> counts.comparisons, counts.correct, counts.ties, counts.failed_judgments, counts.tie_rate
(2, 0, 1, 1, 0.5)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from patarm.eval._rows import DEFAULT_FAILURES, FailurePolicy, RowScores, compare

__all__ = ["Counts", "ReportBase", "tally"]


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class Counts(BaseModel):
    """Counts behind a score. ``judgments`` are the scores consumed (one per response, or two
    per pairwise comparison); ``failed_judgments`` those that were None. A comparison is one
    chosen response against one rejected response; ``ties`` have equal scores on both sides,
    ``failed_comparisons`` a failure on at least one side. ``skipped_rows`` were malformed
    input rows left out on request."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rows: int = 0
    skipped_rows: int = 0
    judgments: int = 0
    failed_judgments: int = 0
    comparisons: int = 0
    correct: int = 0
    ties: int = 0
    failed_comparisons: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tie_rate(self) -> float:
        """Ties per comparison."""
        return _rate(self.ties, self.comparisons)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failure_rate(self) -> float:
        """Failed judgments per judgment."""
        return _rate(self.failed_judgments, self.judgments)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in Counts.model_fields})


def tally(rows: Iterable[RowScores], failures: FailurePolicy = DEFAULT_FAILURES, *, skipped_rows: int = 0) -> Counts:
    """Count the rows, judgments and chosen-vs-rejected comparisons of ``rows``."""
    n = judgments = failed = comparisons = correct = ties = failed_comparisons = 0
    for row in rows:
        n += 1
        scores = row.judgments()
        judgments += len(scores)
        failed += sum(s is None for s in scores)
        for line in row.grid():
            for chosen, rejected in line:
                comparisons += 1
                correct += compare(chosen, rejected, failures) == "win"
                if chosen is None or rejected is None:
                    failed_comparisons += 1
                elif chosen == rejected:
                    ties += 1
    return Counts(
        rows=n,
        skipped_rows=skipped_rows,
        judgments=judgments,
        failed_judgments=failed,
        comparisons=comparisons,
        correct=correct,
        ties=ties,
        failed_comparisons=failed_comparisons,
    )


class ReportBase(BaseModel):
    """What every benchmark report carries beside its scores.

    ``failures`` is the policy failed judgments were scored with; ``notes`` say, in words,
    anything a reader must know to compare the numbers (a missing domain, skipped rows);
    ``skipped`` lists the malformed rows left out; ``run`` records how the scores were made
    (scores file, baseline, or judge settings and position agreement).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    counts: Counts
    failures: FailurePolicy = DEFAULT_FAILURES
    notes: list[str] = Field(default_factory=list)
    skipped: list[dict[str, Any]] = Field(default_factory=list)
    run: dict[str, Any] = Field(default_factory=dict)
