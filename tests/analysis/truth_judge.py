"""A judge for ``--backend python`` that knows the demo task's truth exactly: 1 + the number of
good words in the response (so its top-scored demo review is correct whenever one is)."""

from __future__ import annotations

from patarm.demo import GOOD_WORDS


def judge(prompt: str, seed: int | None) -> str:
    start, end = prompt.rfind("<response>"), prompt.rfind("</response>")
    words = prompt[start + len("<response>") : end].split()
    return f"<answer>{1 + sum(w in GOOD_WORDS for w in words)}</answer>"
