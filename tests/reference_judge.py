"""A scripted judge that reports the reference block it was shown (``--backend python --model
tests/reference_judge.py:judge``): the rationale is ``REFERENCE=<block text>`` and the score 9
when the prompt has a reference block, ``REFERENCE=none`` and 2 when it has none. The block's
text arrives escaped, so it cannot close the rationale; a reference that broke out would break
the judge's own output too, and the tests would see it."""

from __future__ import annotations

import re

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


def judge_any(prompt: str, seed: int | None) -> str:
    """As :func:`judge`, for pointwise and pairwise prompts alike (a pairwise prompt gets both
    scores): for commands that judge both ways (``patarm audit``)."""
    reference = shown_reference(prompt)
    rationale = f"REFERENCE={'none' if reference is None else reference}"
    score = 2 if reference is None else 9
    if "\n<response_a>\n" in prompt:
        return f"<criteria>c</criteria><rationale>{rationale}</rationale><score_a>{score}</score_a><score_b>1</score_b>"
    return f"<criteria>c</criteria><rationale>{rationale}</rationale><answer>{score}</answer>"


def store_rationales(path: str | object) -> dict[str, list[str]]:
    """Each record of a judgment store (``judge_items``) by its name (its key when it has no
    name): the rationales of its samples, both orders' for a pair."""
    import json
    from pathlib import Path

    out: dict[str, list[str]] = {}
    for line in Path(str(path)).read_text().splitlines()[1:]:
        record = json.loads(line)
        result = record["result"]
        samples = result["samples"] if "samples" in result else [s for o in result["orders"] for s in o["samples"]]
        out[record["name"] or record["id"]] = [s["rationale"] for s in samples]
    return out


def judge_matching(prompt: str, seed: int | None) -> str:
    """A sampler that scores a response 9 when it is exactly the reference it was shown, 5
    otherwise (every response 5 without a reference): a pair whose chosen response is the
    reference is ranked right only when the reference reaches it."""
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    reference = shown_reference(prompt)
    score = 9 if found is not None and reference is not None and found.group(1) == reference else 5
    return f"<criteria>c</criteria><rationale>r</rationale><answer>{score}</answer>"
