"""A scripted pairwise teacher for ``patarm data build-sft --format pairwise`` tests: a response
``score:N ...`` gets N in whichever position it is shown; ``BROKEN`` gets no score tag; a
response ``first:N/M ...`` gets N when shown first and M when shown second (position bias)."""

from __future__ import annotations

import re

_BLOCK = r"<response_{}>\n(.*?)\n</response_{}>"


def _score(text: str, first: bool) -> str | None:
    if text.startswith("BROKEN"):
        return None
    biased = re.match(r"first:(\d+)/(\d+)", text)
    if biased:
        return biased.group(1) if first else biased.group(2)
    found = re.match(r"score:(\d+)", text)
    assert found, text
    return found.group(1)


def judge(prompt: str, seed: int | None) -> str:
    a = re.search(_BLOCK.format("a", "a"), prompt, re.DOTALL)
    b = re.search(_BLOCK.format("b", "b"), prompt, re.DOTALL)
    assert a and b
    out = "<criteria>Scripted.</criteria><rationale>Given.</rationale>"
    score_a, score_b = _score(a.group(1), True), _score(b.group(1), False)
    if score_a is not None:
        out += f"<score_a>{score_a}</score_a>"
    if score_b is not None:
        out += f"<score_b>{score_b}</score_b>"
    return out
