"""A scripted teacher for ``patarm data build-sft`` tests: a response ``score:N ...`` gets N;
``BROKEN`` gets no answer tag (a malformed judgment)."""

from __future__ import annotations

import re


def judge(prompt: str, seed: int | None) -> str:
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    assert found
    text = found.group(1)
    if text.startswith("BROKEN"):
        return "I cannot decide."
    score = re.match(r"score:(\d+)", text)
    assert score, text
    return f"<criteria>Scripted.</criteria><rationale>Given.</rationale><answer>{score.group(1)}</answer>"
