"""The pairwise judge: two responses in, a verdict out, judged in both orders by default so
that position bias is reported (``agreement``), never hidden.

>>> from patarm.backends import FunctionBackend
>>> out = "<rationale>A is right.</rationale><score_a>8</score_a><score_b>3</score_b>"
>>> result = PairwiseJudge(FunctionBackend(lambda prompt, seed: out)).judge("2+2?", "4", "5")
>>> result.winner, result.agreement   # the same text in both orders: B wins when shown first
(None, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from patarm.backends import Completion
from patarm.judges._base import JudgeBase, total_tokens
from patarm.judges._results import OrderResult, PairwiseResult, PairwiseSample
from patarm.parsing import parse_judgment
from patarm.prompts import PromptInput
from patarm.voting import get_voting_rule, mean_vote, preferences_from_scores

__all__ = ["PairwiseItem", "PairwiseJudge"]


@dataclass(frozen=True)
class PairwiseItem:
    """Two responses to one prompt; ``domain`` None means route it from the prompt; ``reference``:
    a reference answer the judge compares both against (None: no reference block)."""

    prompt: PromptInput
    response_a: str
    response_b: str
    domain: str | None = None
    reference: str | None = None


def _winner(a: float | None, b: float | None) -> Literal["a", "b"] | None:
    return preferences_from_scores([a], [b])[0]


def _agreement(orders: Sequence[OrderResult]) -> bool | None:
    """Whether both orders picked the same winner; None with one order. An order that failed
    (a side without a score) never agrees: two failures are not a consistent verdict."""
    if len(orders) != 2:
        return None
    if any(o.score_a is None or o.score_b is None for o in orders):
        return False
    return orders[0].winner == orders[1].winner


def _mean_of_orders(scores: list[float | None]) -> float | None:
    """The mean over the presentation orders; None unless every order gave a score."""
    return None if None in scores else mean_vote(scores)


class PairwiseJudge(JudgeBase):
    """Scores two responses side by side; the higher score wins, a tie or failure gives None."""

    mode = "pairwise"

    def judge(
        self,
        prompt: PromptInput,
        response_a: str,
        response_b: str,
        *,
        domain: str | None = None,
        reference: str | None = None,
    ) -> PairwiseResult:
        """Judge one pair of responses (against ``reference`` when one is given)."""
        return self.judge_many([PairwiseItem(prompt, response_a, response_b, domain, reference)])[0]

    def _sample(self, completion: Completion, a_first: bool) -> PairwiseSample:
        cfg = self.config
        first = parse_judgment(completion.text, cfg.scale, integer=cfg.integer_scores, answer_tag="score_a")
        second = parse_judgment(completion.text, cfg.scale, integer=cfg.integer_scores, answer_tag="score_b")
        shown_a, shown_b = (first, second) if a_first else (second, first)
        return PairwiseSample(
            score_a=shown_a.score,
            score_b=shown_b.score,
            criteria=first.criteria,
            rationale=first.rationale,
            raw=completion.text,
            malformed_reason=first.malformed_reason or second.malformed_reason,
        )

    def judge_many(self, items: Sequence[PairwiseItem], *, progress: bool = False) -> list[PairwiseResult]:
        """Judge many pairs in batched backend calls (both orders unless ``both_orders`` is off)."""
        if not items:
            return []
        cfg = self.config
        domains = self._domains([i.prompt for i in items], [i.domain for i in items])
        criteria = self._criteria_for([i.prompt for i in items], domains)
        orders = [True, False] if cfg.both_orders else [True]
        requests = []
        for item, domain, given in zip(items, domains, criteria, strict=True):
            for a_first in orders:
                first, second = (item.response_a, item.response_b) if a_first else (item.response_b, item.response_a)
                requests.append(
                    self.prompts.pairwise(item.prompt, first, second, domain, criteria=given, reference=item.reference)
                )
        outputs = self._generate(requests, progress=progress, desc="judging pairs")
        vote = get_voting_rule(cfg.voting)
        results = []
        for k, domain in enumerate(domains):
            per_order = []
            completions: list[Completion] = []
            for j, a_first in enumerate(orders):
                sampled = outputs[k * len(orders) + j]
                completions += sampled
                samples = [self._sample(c, a_first) for c in sampled]
                a, b = vote([s.score_a for s in samples]), vote([s.score_b for s in samples])
                per_order.append(
                    OrderResult(a_first=a_first, score_a=a, score_b=b, winner=_winner(a, b), samples=samples)
                )
            score_a = _mean_of_orders([o.score_a for o in per_order])
            score_b = _mean_of_orders([o.score_b for o in per_order])
            results.append(
                PairwiseResult(
                    winner=_winner(score_a, score_b),
                    score_a=score_a,
                    score_b=score_b,
                    agreement=_agreement(per_order),
                    domain=domain,
                    orders=per_order,
                    malformed=sum(s.malformed_reason is not None for o in per_order for s in o.samples),
                    generated_tokens=total_tokens(completions),
                )
            )
        return results
