"""The SFT corpus: a teacher judge scores both sides of each pair pointwise; pairs whose margin
(chosen score - rejected score) is larger than a threshold (2 in the paper) become two
pointwise conversations, judge prompt -> the teacher's judgment.

A pair is dropped, and counted, for one of :data:`SFT_DROP_REASONS`: the teacher gave no
score on a side (``malformed_teacher``), preferred the rejected side (``wrong_order``,
margin < 0), or preferred the chosen side by too little (``margin_too_small``,
0 <= margin <= threshold). The target of a side is the teacher's well-formed sample whose
score is closest to the side's voted score (the first such sample on a tie).

>>> from patarm.judges import PointwiseResult
>>> from patarm.parsing import parse_judgment
>>> def result(text):
...     j = parse_judgment(text, (1, 10))
...     return PointwiseResult(score=j.score, domain="chat", samples=[j], malformed=int(j.score is None),
...                            criteria_source="inline")
>>> good, bad = result("<answer>9</answer>"), result("<answer>5</answer>")
>>> SFTFilter().verdict(good, bad), SFTFilter().verdict(bad, good), SFTFilter(threshold=5).verdict(good, bad)
((4.0, None), (-4.0, 'wrong_order'), (4.0, 'margin_too_small'))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patarm.backends import prompt_text
from patarm.data._loaders import derived_pair_id
from patarm.errors import ConfigError
from patarm.judges import PointwiseResult
from patarm.prompts import JudgePrompts
from patarm.store import atomic_path
from patarm.types import PreferencePair, Role

__all__ = ["SFTFilter", "SFTReport", "SFT_DROP_REASONS", "margin_histogram", "sft_pair_rows", "teacher_target"]

SFT_DROP_REASONS = ("malformed_teacher", "wrong_order", "margin_too_small")


@dataclass(frozen=True)
class SFTFilter:
    """Keep a pair when both sides have a teacher score and chosen - rejected > ``threshold``."""

    threshold: float = 2.0

    def verdict(self, chosen: PointwiseResult, rejected: PointwiseResult) -> tuple[float | None, str | None]:
        """The margin (None if a side has no score) and the drop reason (None: keep)."""
        if chosen.score is None or rejected.score is None or teacher_target(chosen) is None:
            return None, "malformed_teacher"
        if teacher_target(rejected) is None:
            return None, "malformed_teacher"
        margin = chosen.score - rejected.score
        return margin, margin_reason(margin, self.threshold)


def margin_reason(margin: float, threshold: float) -> str | None:
    """Why a pair whose chosen response scores ``margin`` above the rejected one is dropped:
    ``wrong_order`` (below 0), ``margin_too_small`` (at most ``threshold``), or None (kept on
    its margin)."""
    if margin < 0:
        return "wrong_order"
    if margin <= threshold:
        return "margin_too_small"
    return None


@dataclass
class SFTReport:
    """Pairs judged, kept and dropped by reason; margins of every pair with two scores."""

    pairs: int = 0
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    margins: list[float] = field(default_factory=list)

    def add(self, margin: float | None, reason: str | None) -> None:
        self.pairs += 1
        if margin is not None:
            self.margins.append(margin)
        if reason is None:
            self.kept += 1
        else:
            self.dropped[reason] += 1

    def lines(self) -> list[str]:
        out = [f"pairs judged by the teacher: {self.pairs}", f"pairs kept: {self.kept} ({2 * self.kept} rows)"]
        return out + self.dropped_lines(SFT_DROP_REASONS)

    def dropped_lines(self, reasons: Sequence[str]) -> list[str]:
        """One line per drop reason of ``reasons``, in that order, zero counts included (so a
        report always names every reason a pair could be dropped for)."""
        return [f"pairs dropped ({reason}): {self.dropped.get(reason, 0)}" for reason in reasons]


def teacher_target(result: PointwiseResult) -> str | None:
    """The raw text of the well-formed sample closest to the voted score; None if there is none."""
    if result.score is None:
        return None
    vote = result.score
    best = min(
        (s for s in result.samples if s.score is not None),
        key=lambda s: abs(float(s.score or 0.0) - vote),
        default=None,
    )
    return None if best is None else best.raw


def sft_pair_rows(
    pair: PreferencePair,
    domain: str,
    chosen: PointwiseResult,
    rejected: PointwiseResult,
    prompts: JudgePrompts,
    *,
    conversational: bool = True,
) -> list[dict[str, Any]]:
    """Two prompt-completion rows (chosen, then rejected) in the shape of
    :func:`patarm.adapters.trl.sft_rows`, plus ``pair_id``, ``pair_key`` (a digest of the pair's
    content, for :func:`patarm.data.intersect_corpora`), ``role`` and the teacher's ``score``.
    The judge prompt holds the pair's reference answer when it has one, as the teacher saw it."""
    rows = []
    sides: tuple[tuple[Role, PointwiseResult], ...] = (("chosen", chosen), ("rejected", rejected))
    for role, result in sides:
        target = teacher_target(result)
        if target is None:
            raise ConfigError(f"pair {pair.pair_id!r}: the teacher's {role} judgment has no well-formed sample")
        messages = prompts.pointwise(pair.prompt, pair.response(role), domain, reference=pair.reference)
        row = sft_row(pair, domain, messages, target, conversational=conversational)
        rows.append({**row, "role": role, "score": result.score})
    return rows


def sft_row(
    pair: PreferencePair,
    domain: str,
    messages: list[dict[str, str]],
    target: str,
    *,
    conversational: bool,
) -> dict[str, Any]:
    """The fields every SFT row shares, in order: ``prompt`` (the judge ``messages``, or their
    text when not ``conversational``), ``completion`` (the teacher's ``target``, as an assistant
    message or as text), ``domain``, ``pair_id`` and ``pair_key`` (a digest of the pair's
    content, for :func:`patarm.data.intersect_corpora`); the pointwise and the pairwise corpus
    each add their own fields after these."""
    prompt: Any = messages if conversational else prompt_text(messages)
    completion: Any = [{"role": "assistant", "content": target}] if conversational else target
    return {
        "prompt": prompt,
        "completion": completion,
        "domain": domain,
        "pair_id": pair.pair_id,
        "pair_key": derived_pair_id(pair.prompt, pair.chosen, pair.rejected),
    }


def margin_histogram(margins: Sequence[float], path: str | Path, *, threshold: float) -> Path:
    """Save a histogram of teacher margins (chosen - rejected) with the threshold marked, as PNG.

    Needs matplotlib (extra ``demo``); without it, :class:`~patarm._extras.MissingExtraError`.
    """
    from patarm._extras import require

    matplotlib = require("matplotlib", "demo")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = Path(path)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if margins:
        low, high = min(margins), max(margins)
        ax.hist(margins, bins=max(1, min(40, int(high - low) * 2 + 1)), color="#4477aa")
    ax.axvline(threshold, color="#cc3311", linestyle="--", label=f"threshold {threshold:g} (keep >)")
    ax.set_xlabel("teacher margin: chosen score - rejected score")
    ax.set_ylabel("pairs")
    ax.set_title(f"SFT teacher margins ({len(margins)} pairs with two scores)")
    ax.legend()
    fig.tight_layout()
    with atomic_path(target) as scratch:
        fig.savefig(scratch, dpi=100, format="png")
    plt.close(fig)
    return target
