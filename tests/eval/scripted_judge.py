"""A scripted judge for the evaluation tests: `fn(prompt_text, seed) -> judge output`.

Pointwise: the score is 1 + (characters in the response // 10), capped at 10, plus a seeded
jitter of 0 or 1 so that k samples differ; a response reading BROKEN gets no score.
Pairwise: the same score for each response, except that a prompt containing "POSITION" makes
the judge prefer whichever response it is shown first (a position bias the two orders expose).
"""

from __future__ import annotations

import random
import re


def _score(text: str, seed: int | None) -> int:
    jitter = random.Random(seed).randint(0, 1) if seed is not None else 0
    return min(10, 1 + len(text) // 10 + jitter)


def judge(prompt: str, seed: int | None) -> str:
    if "<response_a>" in prompt:
        a = re.search(r"<response_a>\n(.*?)\n</response_a>", prompt, re.DOTALL)
        b = re.search(r"<response_b>\n(.*?)\n</response_b>", prompt, re.DOTALL)
        assert a and b
        if "POSITION" in prompt:
            return "<rationale>First is best.</rationale><score_a>9</score_a><score_b>2</score_b>"
        score_a, score_b = _score(a.group(1), None), _score(b.group(1), None)
        return f"<rationale>Compared.</rationale><score_a>{score_a}</score_a><score_b>{score_b}</score_b>"
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    assert found
    if found.group(1) == "BROKEN":
        return "I cannot decide."
    score = _score(found.group(1), seed)
    return f"<criteria>Length.</criteria><rationale>Longer is better.</rationale><answer>{score}</answer>"
