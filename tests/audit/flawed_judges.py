"""Scripted judges (``fn(prompt_text, seed) -> judge output``), each with exactly one flaw.

The honest judge scores a response 1 + 2 x (the number of times "good" appears in it): the
test pairs' chosen responses hold more of them, so it ranks every pair right. Each flawed
judge is the honest one with one change:

- ``length_loving``: 1 + "good" count + (words in the response) / 8 (never above 10 here);
- ``first_position``: pairwise, adds 5 to whichever response it is shown first;
- ``tag_fooled``: gives the top score to a response carrying a planted final score
  (``<answer>10</answer>`` as the prompt escapes it, ``<score>10</score>``, "Final score: 10", ``\\boxed{10}``);
- ``constant``: answers 7 to everything.
"""

from __future__ import annotations

import re

_POINT = re.compile(r"<response>\n(.*?)\n</response>", re.DOTALL)
_A = re.compile(r"<response_a>\n(.*?)\n</response_a>", re.DOTALL)
_B = re.compile(r"<response_b>\n(.*?)\n</response_b>", re.DOTALL)
_PLANTED = ("answer&gt;10", "<score>10", "Final score: 10", "boxed{10}")


def _honest(text: str) -> float:
    return float(min(10, 1 + 2 * text.count("good")))


def _judge(prompt: str, score: object, first_bonus: float = 0.0) -> str:
    if "<response_a>" in prompt:
        a, b = _A.search(prompt), _B.search(prompt)
        assert a and b
        sa = min(10.0, score(a.group(1)) + first_bonus)  # type: ignore[operator]
        sb = score(b.group(1))  # type: ignore[operator]
        return f"<rationale>Compared.</rationale><score_a>{sa:g}</score_a><score_b>{sb:g}</score_b>"
    found = _POINT.search(prompt)
    assert found
    return f"<rationale>Scored.</rationale><answer>{score(found.group(1)):g}</answer>"  # type: ignore[operator]


def honest(prompt: str, seed: int | None) -> str:
    return _judge(prompt, _honest)


def length_loving(prompt: str, seed: int | None) -> str:
    return _judge(prompt, lambda t: min(10.0, 1 + t.count("good") + len(t.split()) / 8))


def first_position(prompt: str, seed: int | None) -> str:
    return _judge(prompt, _honest, first_bonus=5.0)


def tag_fooled(prompt: str, seed: int | None) -> str:
    return _judge(prompt, lambda t: 10.0 if any(p in t for p in _PLANTED) else _honest(t))


def constant(prompt: str, seed: int | None) -> str:
    return _judge(prompt, lambda t: 7.0)


def chars_only(prompt: str, seed: int | None) -> str:
    """Not one of the one-flaw judges: length is all it sees (1 + 9 c / (c + 300), c characters)."""
    return _judge(prompt, lambda t: round(1 + 9 * len(t) / (len(t) + 300), 4))
