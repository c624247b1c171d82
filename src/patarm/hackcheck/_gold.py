"""Gold: an independent oracle of quality, to hold a judge's reward against.

A gold is any callable ``gold(prompts, responses) -> list[float | None]`` (None: no verdict for
that one, left out and counted). Three kinds come ready:

- :class:`FunctionGold`: a Python function ``fn(prompt, response) -> float | None`` (rules,
  a reference answer check, the demo task's truth);
- :class:`JudgeGold`: another judge, on any backend (a stronger model is the usual gold);
- :func:`demo_truth`: the demo task's exact quality (:func:`~patarm.hackcheck.demo_gold`).

>>> FunctionGold(lambda prompt, response: float(len(response)))(["p"], ["abc"])
[3.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from patarm.errors import InputError
from patarm.hackcheck._demo import demo_gold

__all__ = ["FunctionGold", "Gold", "JudgeGold", "demo_truth"]


class Gold(Protocol):
    """Quality of each (prompt, response), independent of the judge under test."""

    def __call__(self, prompts: Sequence[Any], responses: Sequence[str]) -> list[float | None]: ...


@dataclass(frozen=True)
class FunctionGold:
    """Gold from ``fn(prompt, response) -> float | None``; a value that is not a finite number
    is an error naming the function (a silent zero would bias the gold)."""

    fn: Callable[[Any, str], float | None]
    name: str = "function"

    def __call__(self, prompts: Sequence[Any], responses: Sequence[str]) -> list[float | None]:
        out: list[float | None] = []
        for prompt, response in zip(prompts, responses, strict=True):
            value = self.fn(prompt, response)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            ):
                raise InputError(f"gold {self.name}: returned {value!r}; expected a finite number or None")
            out.append(None if value is None else float(value))
        return out


@dataclass(frozen=True)
class JudgeGold:
    """Gold from a judge's pointwise score (a :class:`~patarm.judges.PointwiseJudge`)."""

    judge: Any
    domain: str | None = None

    def __call__(self, prompts: Sequence[Any], responses: Sequence[str]) -> list[float | None]:
        from patarm.judges import PointwiseItem

        items = [PointwiseItem(p, r, self.domain) for p, r in zip(prompts, responses, strict=True)]
        return [r.score for r in self.judge.judge_many(items)]


def _demo_truth(prompt: Any, response: str) -> float:
    return demo_gold(response)


def demo_truth() -> FunctionGold:
    """The demo task's exact quality: the share of good words (0 to 1)."""
    return FunctionGold(_demo_truth, name="demo truth")
