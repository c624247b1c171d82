"""Plain records shared by the loaders, the scorers and the runner.

A benchmark row is one prompt with its chosen and rejected responses (one of each for
RewardBench, 1 chosen and 3 rejected for RewardBench 2, several chosen for its Ties subset,
3 and 3 for RM-Bench). :class:`RowScores` carries the scores of one row's responses, which is
all the official scoring formulas look at.

>>> row = RowScores("7", chosen=(8.0,), rejected=(None,), subset="hep-go")
>>> row.grid()                      # the comparisons the formulas look at
[[(8.0, None)]]
>>> compare(8.0, None), compare(8.0, None, failures="loses"), compare(5, 5)
('loss', 'win', 'tie')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Literal

from patarm.errors import InputError

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "BenchmarkData",
    "BenchmarkRow",
    "DEFAULT_FAILURES",
    "FAILURE_POLICIES",
    "FailurePolicy",
    "Outcome",
    "RowScores",
    "Score",
    "SkippedRow",
    "check_score",
    "compare",
]

Benchmark = Literal["rewardbench", "rewardbench2", "rmbench"]
BENCHMARKS: tuple[Benchmark, ...] = ("rewardbench", "rewardbench2", "rmbench")

Score = float | None
"""A response's score; None when its judgment failed (it is counted, never dropped)."""

FailurePolicy = Literal["wrong", "loses"]
"""How a failed score (None) is compared.

- ``"wrong"`` (the default): every comparison with a failure on either side counts as
  wrong, so a failed judgment can never raise a score.
- ``"loses"`` (as the benchmarks' own rating scripts rank a missing score): the failed
  response ranks below every scored response, so it loses every comparison it is in; two
  failures tie, and a tie is wrong. A judge that fails on a REJECTED response is then
  credited with a win it did not earn.
"""

FAILURE_POLICIES: tuple[FailurePolicy, ...] = ("wrong", "loses")
DEFAULT_FAILURES: FailurePolicy = "wrong"

Outcome = Literal["win", "tie", "loss"]


def check_score(value: object, where: str) -> Score:
    """``value`` as a score: a finite number or None. Anything else is an error naming ``where``."""
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
            raise ValueError
        return float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise InputError(f"{where}: expected a finite number or null (a failed judgment), got {shown}") from None


def compare(chosen: Score, rejected: Score, failures: FailurePolicy = DEFAULT_FAILURES) -> Outcome:
    """The chosen response's outcome against the rejected one. Only ``"win"`` is correct:
    a tie is wrong on every benchmark, and failures follow ``failures``."""
    if chosen is None or (rejected is None and failures == "wrong"):
        return "loss"
    if rejected is None:
        return "win"
    if chosen == rejected:
        return "tie"
    return "win" if chosen > rejected else "loss"


@dataclass(frozen=True)
class BenchmarkRow:
    """One benchmark row as the loaders return it.

    ``key`` is unique within a loaded benchmark (RM-Bench ids repeat across its domain files,
    so its keys are ``part/id``, e.g. ``code/8``). ``domain`` is RM-Bench's scoring domain
    (``chat``, ``code``, ``math``, ``safety``) and ``part`` the finer source it came from
    (``safety-refuse``); both are None for the RewardBench sets. ``reference``: a reference
    answer the judge compares the row's responses against (read from the column the user
    names, ``reference_col``); None: no reference block.
    """

    id: str
    prompt: str | list[dict[str, str]]
    chosen: tuple[str, ...]
    rejected: tuple[str, ...]
    subset: str
    key: str
    domain: str | None = None
    part: str | None = None
    source: str = ""
    reference: str | None = None

    def responses(self) -> list[tuple[Literal["chosen", "rejected"], int, str]]:
        """Every response with its side and index, chosen first, in the row's order."""
        out: list[tuple[Literal["chosen", "rejected"], int, str]] = [
            ("chosen", i, text) for i, text in enumerate(self.chosen)
        ]
        out += [("rejected", j, text) for j, text in enumerate(self.rejected)]
        return out


@dataclass(frozen=True)
class SkippedRow:
    """A malformed row left out on request (``skip_malformed``), with the reason; reports count them."""

    source: str
    row: int
    reason: str
    id: str | None = None


@dataclass(frozen=True)
class BenchmarkData:
    """The rows of one benchmark loaded from local files, and the rows skipped as malformed."""

    benchmark: Benchmark
    rows: tuple[BenchmarkRow, ...]
    skipped: tuple[SkippedRow, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowScores:
    """The scores of one row's responses, in the row's order.

    ``chosen`` / ``rejected`` hold one score per response (pointwise judges, reward models,
    baselines). A pairwise judge scores responses two at a time instead: it fills ``pairs``,
    where ``pairs[i][j]`` is (score of chosen i, score of rejected j) from judging the two
    together. The formulas only compare chosen against rejected, except RewardBench 2's Ties
    subset, which needs per-response scores.
    """

    id: str
    chosen: tuple[Score, ...] = ()
    rejected: tuple[Score, ...] = ()
    subset: str = ""
    domain: str | None = None
    pairs: tuple[tuple[tuple[Score, Score], ...], ...] | None = field(default=None)

    def __post_init__(self) -> None:
        for side in ("chosen", "rejected"):
            for i, value in enumerate(getattr(self, side)):
                check_score(value, f"row {self.id!r}: {side}[{i}]")
        if self.pairs is not None:
            widths = {len(r) for r in self.pairs}
            if not self.pairs or len(widths) != 1 or 0 in widths:
                raise InputError(f"row {self.id!r}: pairs: expected a non-empty rectangular grid of score pairs")
            for i, line in enumerate(self.pairs):
                for j, (a, b) in enumerate(line):
                    check_score(a, f"row {self.id!r}: pairs[{i}][{j}][0]")
                    check_score(b, f"row {self.id!r}: pairs[{i}][{j}][1]")
        elif not self.chosen or not self.rejected:
            raise InputError(f"row {self.id!r}: need at least one chosen and one rejected score (or pairs)")

    @property
    def shape(self) -> tuple[int, int]:
        """(number of chosen, number of rejected) responses."""
        if self.pairs is not None:
            return len(self.pairs), len(self.pairs[0])
        return len(self.chosen), len(self.rejected)

    def grid(self) -> list[list[tuple[Score, Score]]]:
        """``grid[i][j]`` = (score of chosen i, score of rejected j) as compared."""
        if self.pairs is not None:
            return [list(line) for line in self.pairs]
        return [[(c, r) for r in self.rejected] for c in self.chosen]

    def judgments(self) -> list[Score]:
        """Every score this row holds (per response, or both sides of every pair)."""
        if self.pairs is not None:
            return [s for line in self.pairs for pair in line for s in pair]
        return [*self.chosen, *self.rejected]
