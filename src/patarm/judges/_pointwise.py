"""The pointwise judge: one response in, k judgments and their vote out; O(N) for N candidates.

>>> from patarm.backends import FunctionBackend
>>> judge = PointwiseJudge(FunctionBackend(lambda prompt, seed: "<rationale>Fine.</rationale><answer>7</answer>"))
>>> judge.judge("What is 2+2?", "4").score
7.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from patarm.judges._base import JudgeBase, total_tokens
from patarm.judges._expected import completion_expected_score
from patarm.judges._results import PointwiseResult
from patarm.parsing import parse_judgment
from patarm.prompts import PromptInput
from patarm.voting import get_voting_rule, mean_vote

__all__ = ["PointwiseItem", "PointwiseJudge"]


@dataclass(frozen=True)
class PointwiseItem:
    """One response to judge; ``domain`` None means route it from the prompt; ``reference``: a
    reference answer the judge compares the response against (None: no reference block)."""

    prompt: PromptInput
    response: str
    domain: str | None = None
    reference: str | None = None


class PointwiseJudge(JudgeBase):
    """Scores responses one at a time (k samples each, voted), with task-adaptive rubrics."""

    mode = "pointwise"

    def judge(
        self, prompt: PromptInput, response: str, *, domain: str | None = None, reference: str | None = None
    ) -> PointwiseResult:
        """Judge one response (against ``reference`` when one is given)."""
        return self.judge_many([PointwiseItem(prompt, response, domain, reference)])[0]

    def judge_many(self, items: Sequence[PointwiseItem], *, progress: bool = False) -> list[PointwiseResult]:
        """Judge many responses in batched backend calls; results in input order."""
        if not items:
            return []
        cfg = self.config
        domains = self._domains([i.prompt for i in items], [i.domain for i in items])
        criteria = self._criteria_for([i.prompt for i in items], domains)
        requests = [
            self.prompts.pointwise(item.prompt, item.response, domain, criteria=given, reference=item.reference)
            for item, domain, given in zip(items, domains, criteria, strict=True)
        ]
        outputs = self._generate(requests, progress=progress, desc="judging")
        vote = get_voting_rule(cfg.voting)
        results = []
        for domain, given, samples in zip(domains, criteria, outputs, strict=True):
            judgments = [parse_judgment(s.text, cfg.scale, integer=cfg.integer_scores) for s in samples]
            expected = [completion_expected_score(s, cfg.scale) for s in samples] if cfg.expected_score else []
            results.append(
                PointwiseResult(
                    score=vote([j.score for j in judgments]),
                    expected_score=mean_vote(expected),
                    domain=domain,
                    samples=judgments,
                    malformed=sum(j.score is None for j in judgments),
                    criteria_source="cached" if given else ("inline" if self.prompts.use_generated else "none"),
                    generated_tokens=total_tokens(samples),
                )
            )
        return results
