"""A scripted sampler for ``patarm data build-rl --rollouts``: a response ``r:a,b,c,...`` gets
score a on its first rollout, b on its second, and so on (rollouts of one response are
counted in call order); ``BROKEN`` never gets a score."""

from __future__ import annotations

import re
from collections import Counter

CALLS: Counter[str] = Counter()


def judge(prompt: str, seed: int | None) -> str:
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    assert found
    text = found.group(1)
    CALLS[text] += 1
    if text.startswith("BROKEN"):
        return "no score"
    scores = text.removeprefix("r:").split(",")
    return f"<answer>{scores[(CALLS[text] - 1) % len(scores)]}</answer>"
