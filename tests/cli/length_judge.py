"""A baseline judge for CLI tests: scores a response by its length, in the judge format."""

from __future__ import annotations

import re


def judge(prompt: str, seed: int | None) -> str:
    if "<response_a>" in prompt:
        a = re.search(r"<response_a>\n(.*?)\n</response_a>", prompt, re.DOTALL)
        b = re.search(r"<response_b>\n(.*?)\n</response_b>", prompt, re.DOTALL)
        assert a and b
        return f"<score_a>{min(10, len(a.group(1)))}</score_a><score_b>{min(10, len(b.group(1)))}</score_b>"
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    assert found
    text = found.group(1)
    if text == "BROKEN":
        return "no score here"
    return f"<criteria>Length.</criteria><rationale>Long is good.</rationale><answer>{min(10, len(text))}</answer>"
