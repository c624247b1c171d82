"""The pairwise-format SFT corpus: a teacher pairwise judge sees both responses of a pair, in
both orders, and scores each (``<score_a>``/``<score_b>``); pairs whose teacher preference
agrees with the label, with the pointwise corpus's margin rule, become two pairwise
conversations (one per order), judge prompt -> the teacher's judgment in that order.

The margin is the teacher's chosen score minus its rejected score, each the mean over the two
orders. A pair is dropped, and counted, for one of :data:`PAIRWISE_SFT_DROP_REASONS`:

- ``malformed_teacher``: an order gave no score for a side, or (a kept pair otherwise) has no
  well-formed sample that prefers the chosen response: no target to train on;
- ``wrong_order``: margin < 0 (the teacher prefers the rejected response);
- ``margin_too_small``: 0 <= margin <= threshold (2 in the paper, as for the pointwise corpus);
- ``orders_disagree``: margin > threshold, but in one order the teacher did not score the
  chosen response strictly above the rejected one (position bias).

The first three are the pointwise corpus's rule applied to the mean over orders; the last is
what the pairwise format adds.

The target of an order is its well-formed sample that prefers the chosen response and lies
closest to the order's voted scores (the first such sample on a tie).

>>> from patarm.judges import OrderResult, PairwiseResult, PairwiseSample
>>> def order(a_first, chosen, rejected):
...     sample = PairwiseSample(score_a=chosen, score_b=rejected, raw="...")
...     return OrderResult(a_first=a_first, score_a=chosen, score_b=rejected, winner="a", samples=[sample])
>>> def result(*orders):
...     a = sum(o.score_a for o in orders) / len(orders)
...     b = sum(o.score_b for o in orders) / len(orders)
...     return PairwiseResult(winner="a", score_a=a, score_b=b, agreement=None, domain="chat",
...                           orders=list(orders), malformed=0)
>>> keep = PairwiseSFTFilter()
>>> keep.verdict(result(order(True, 9, 3), order(False, 8, 4)))
(5.0, None)
>>> keep.verdict(result(order(True, 9, 3), order(False, 3, 4)))
(2.5, 'orders_disagree')
>>> keep.verdict(result(order(True, 6, 4), order(False, 6, 4)))
(2.0, 'margin_too_small')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patarm.data._sft import SFTReport, margin_reason, sft_row
from patarm.errors import ConfigError
from patarm.judges import OrderResult, PairwiseResult, PairwiseSample
from patarm.prompts import JudgePrompts
from patarm.types import PreferencePair

__all__ = [
    "PAIRWISE_SFT_DROP_REASONS",
    "PairwiseSFTFilter",
    "PairwiseSFTReport",
    "order_target",
    "pairwise_sft_rows",
]

PAIRWISE_SFT_DROP_REASONS = ("malformed_teacher", "wrong_order", "margin_too_small", "orders_disagree")


def order_target(order: OrderResult) -> PairwiseSample | None:
    """The well-formed sample of ``order`` that scores the caller's A (chosen) strictly above B
    (rejected), closest to the order's voted scores; None if there is none."""
    if order.score_a is None or order.score_b is None:
        return None
    vote_a, vote_b = order.score_a, order.score_b
    agreeing = [
        s
        for s in order.samples
        if s.malformed_reason is None and s.score_a is not None and s.score_b is not None and s.score_a > s.score_b
    ]
    return min(
        agreeing,
        key=lambda s: abs(float(s.score_a or 0.0) - vote_a) + abs(float(s.score_b or 0.0) - vote_b),
        default=None,
    )


@dataclass(frozen=True)
class PairwiseSFTFilter:
    """Keep a pair when every order scores chosen above rejected and the mean margin > ``threshold``.

    The result is the teacher's verdict with A = the chosen response, B = the rejected one."""

    threshold: float = 2.0

    def verdict(self, result: PairwiseResult) -> tuple[float | None, str | None]:
        """The margin (None if a side has no score) and the drop reason (None: keep)."""
        if result.failed or result.score_a is None or result.score_b is None:
            return None, "malformed_teacher"
        margin = result.score_a - result.score_b
        reason = margin_reason(margin, self.threshold)
        if reason is not None:
            return margin, reason
        if any(o.score_a is None or o.score_b is None or o.score_a <= o.score_b for o in result.orders):
            return margin, "orders_disagree"
        if any(order_target(o) is None for o in result.orders):
            return margin, "malformed_teacher"
        return margin, None


class PairwiseSFTReport(SFTReport):
    """:class:`~patarm.data.SFTReport` for the pairwise corpus: one row per order kept."""

    def lines(self) -> list[str]:
        out = [
            f"pairs judged by the teacher (both orders): {self.pairs}",
            f"pairs kept: {self.kept} ({2 * self.kept} rows, one per order)",
        ]
        return out + self.dropped_lines(PAIRWISE_SFT_DROP_REASONS)


def pairwise_sft_rows(
    pair: PreferencePair,
    domain: str,
    result: PairwiseResult,
    prompts: JudgePrompts,
    *,
    conversational: bool = True,
) -> list[dict[str, Any]]:
    """One prompt-completion row per order (the teacher's order: chosen first, then second),
    in the shape of :func:`patarm.data.sft_pair_rows`: ``pair_id``, ``pair_key`` (a digest of
    the pair's content), ``chosen_position`` (``a`` or ``b``) and the order's voted
    ``score_a`` / ``score_b`` as shown (A first)."""
    rows = []
    for order in result.orders:
        sample = order_target(order)
        if sample is None or order.score_a is None or order.score_b is None:
            raise ConfigError(f"pair {pair.pair_id!r}: an order of the teacher's judgment has no usable sample")
        first, second = (pair.chosen, pair.rejected) if order.a_first else (pair.rejected, pair.chosen)
        shown = (order.score_a, order.score_b) if order.a_first else (order.score_b, order.score_a)
        messages = prompts.pairwise(pair.prompt, first, second, domain, reference=pair.reference)
        row = sft_row(pair, domain, messages, sample.raw, conversational=conversational)
        rows.append({**row, "chosen_position": "a" if order.a_first else "b", "score_a": shown[0], "score_b": shown[1]})
    return rows
