"""A scripted domain classifier for ``--router llm`` tests: every prompt is ``code``, except a
prompt containing ``???``, which gets an answer that is not a domain (the router falls back)."""

from __future__ import annotations


def classify(prompt: str, seed: int | None) -> str:
    return "<answer>not-a-domain</answer>" if "???" in prompt else "<answer>code</answer>"
