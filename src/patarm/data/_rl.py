"""The RL corpus: one judge-prompt row per (pair, side), after the paper's reject-sampling filter.

A sampler model rolls each pair out n times (8 in the paper) and a rollout is correct when it
prefers the chosen side. Pairs that are always right teach nothing, and pairs that are
almost never right are likely label noise, so only pairs whose correct fraction lies in a
range (1/8..6/8 by default, both ends included) are kept. The correctness is read from a
row column: a fraction, or a list of booleans (one per rollout).

>>> correct_fraction([True, False, False, False, False, False, False, False])
0.125
>>> RejectSampling().keeps(0.125), RejectSampling().keeps(1.0)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._judge_rows import judge_rows
from patarm.data._loaders import LoadedPair
from patarm.errors import ConfigError
from patarm.prompts import JudgePrompts
from patarm.types import ROLES, PreferencePair

__all__ = ["RLReport", "RejectSampling", "correct_fraction", "rl_rows"]

_EPS = 1e-9


def correct_fraction(value: object) -> float:
    """A correct fraction from a number in [0, 1] or a non-empty list of booleans."""
    if isinstance(value, (list, tuple)):
        if not value or not all(isinstance(v, bool) for v in value):
            raise ConfigError(f"expected a non-empty list of booleans (one per rollout), got {value!r:.80}")
        return sum(value) / len(value)
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ConfigError(f"expected a fraction in [0, 1] or a list of booleans, got {value!r:.80}")
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ConfigError(f"expected a fraction in [0, 1], got {number}")
    return number


@dataclass(frozen=True)
class RejectSampling:
    """Keep a pair when ``low <= correct fraction <= high`` (a tiny tolerance absorbs float noise)."""

    low: float = 1 / 8
    high: float = 6 / 8
    column: str = "correct_fraction"

    def keeps(self, fraction: float) -> bool:
        return self.low - _EPS <= fraction <= self.high + _EPS


@dataclass
class RLReport:
    """Pairs in, pairs kept, pairs dropped per reason, rows written, domains by source."""

    pairs: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def rl_rows(
    loaded: Iterable[LoadedPair],
    *,
    prompts: JudgePrompts | None = None,
    labeler: DomainLabeler | None = None,
    reject_sampling: RejectSampling | None = None,
    report: RLReport | None = None,
    conversational: bool = True,
) -> Iterator[dict[str, Any]]:
    """RL rows: the :func:`judge_rows` of the pairs that pass ``reject_sampling``, lazily.

    With ``reject_sampling``, a pair without a readable correctness in its row is an error
    naming the row; pairs outside the range are dropped (``report.dropped['out_of_range']``).
    """
    tally = report if report is not None else RLReport()
    for row in judge_rows(
        _kept(loaded, reject_sampling, tally), prompts, labeler=labeler, conversational=conversational
    ):
        tally.rows += 1
        if row["role"] == ROLES[-1]:
            tally.kept += 1
        yield row


def _kept(
    loaded: Iterable[LoadedPair], reject_sampling: RejectSampling | None, tally: RLReport
) -> Iterator[PreferencePair]:
    """The pairs whose correct fraction lies in the range (all of them without reject sampling)."""
    for item in loaded:
        tally.pairs += 1
        if reject_sampling is not None:
            column = reject_sampling.column
            if item.row.get(column) is None:
                raise ConfigError(f"row {item.index}: field {column!r} is missing (per-pair correctness of rollouts)")
            try:
                fraction = correct_fraction(item.row[column])
            except ValueError as exc:
                raise ConfigError(f"row {item.index}: field {column!r}: {exc}") from None
            if not reject_sampling.keeps(fraction):
                tally.drop("out_of_range")
                continue
        yield item.pair
