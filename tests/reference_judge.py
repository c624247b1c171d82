"""A scripted judge that reports the reference block it was shown (``--backend python --model
tests/reference_judge.py:judge``): the rationale is ``REFERENCE=<block text>`` and the score 9
when the prompt has a reference block, ``REFERENCE=none`` and 2 when it has none. The block's
text arrives escaped, so it cannot close the rationale; a reference that broke out would break
the judge's own output too, and the tests would see it."""

from __future__ import annotations

OPEN, CLOSE = "\n<reference>\n", "\n</reference>\n"


def shown_reference(prompt: str) -> str | None:
    """The text of the prompt's reference block; None without one."""
    start = prompt.find(OPEN)
    if start < 0:
        return None
    end = prompt.find(CLOSE, start + len(OPEN))
    return prompt[start + len(OPEN) : end] if end >= 0 else None


def judge(prompt: str, seed: int | None) -> str:
    reference = shown_reference(prompt)
    if reference is None:
        return "<criteria>c</criteria><rationale>REFERENCE=none</rationale><answer>2</answer>"
    return f"<criteria>c</criteria><rationale>REFERENCE={reference}</rationale><answer>9</answer>"
