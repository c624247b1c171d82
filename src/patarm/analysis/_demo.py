"""The analyses on the demo task (the one ``patarm demo`` trains on), with a judge whose
quality is known: a review's truth is its count of good words.

- :func:`demo_pairs`: held-out preference pairs of the demo task (seeded);
- :func:`demo_candidates`: Best-of-N rows, N reviews per prompt, a review correct when at
  least 4 of its 6 words are good;
- :func:`noisy_demo_judge`: a judge for ``--backend python``: it reads the response out of the
  pointwise prompt and scores 2 + 1.2 x good words plus Gaussian noise (sd 2, from the
  sample's seed), rounded into 1-10; 1 sample in 20 is malformed (no score). Its single
  samples are noisy, so voting over more of them helps, as with a sampled generative judge.

>>> prompt = "<prompt>\\nRate this review.\\n</prompt>\\n<response>\\nbright kind dull\\n</response>"
>>> noisy_demo_judge(prompt, 0) == noisy_demo_judge(prompt, 0)
True
>>> rows = demo_candidates(3, 4, seed=0)
>>> [len(r.responses) for r in rows], all(isinstance(c, bool) for r in rows for c in r.correct)
([4, 4, 4], True)
"""

from __future__ import annotations

import random

from patarm.analysis._candidates import CandidateRow
from patarm.demo import DEMO_DOMAIN, GOOD_WORDS, DemoTask
from patarm.types import PreferencePair

__all__ = ["CORRECT_GOOD_WORDS", "demo_candidates", "demo_pairs", "noisy_demo_judge"]

CORRECT_GOOD_WORDS = 4
_GOOD = frozenset(GOOD_WORDS)
_PROMPT = "Rate this review."


def _response(prompt: str) -> str:
    """The last response block of a pointwise judge prompt (user text is escaped there, so the
    tags cannot come from it), found in linear time."""
    start = prompt.rfind("<response>")
    end = prompt.rfind("</response>")
    return prompt[start + len("<response>") : end] if 0 <= start < end else ""


def noisy_demo_judge(prompt: str, seed: int | None) -> str:
    """Score a demo review: 2 + 1.2 x good words + noise (sd 2), 1-10; malformed 1 time in 20."""
    rng = random.Random(seed)
    if rng.random() < 0.05:
        return "<rationale>I cannot tell.</rationale>"
    good = sum(word in _GOOD for word in _response(prompt).split())
    score = min(10, max(1, round(2 + 1.2 * good + rng.gauss(0.0, 2.0))))
    return f"<rationale>{good} good words, weighed roughly.</rationale><answer>{score}</answer>"


def demo_pairs(count: int, seed: int = 1234) -> list[PreferencePair]:
    """``count`` held-out pairs of the demo task (the chosen review has 1 or 2 more good words)."""
    return DemoTask().pairs(count, seed, prefix="analysis")


def demo_candidates(count: int, n: int, seed: int = 1234) -> list[CandidateRow]:
    """``count`` prompts with ``n`` demo reviews each (0-6 good words, uniform); a review is
    correct when it has at least :data:`CORRECT_GOOD_WORDS` good words."""
    task, rng = DemoTask(), random.Random(seed)
    rows = []
    for i in range(count):
        goods = [rng.randint(0, task.length) for _ in range(n)]
        responses = tuple(task.response(rng, g) for g in goods)
        correct = tuple(g >= CORRECT_GOOD_WORDS for g in goods)
        rows.append(CandidateRow(f"demo-{i}", _PROMPT, responses, correct, DEMO_DOMAIN))
    return rows
