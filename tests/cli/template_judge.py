"""A judge function for the ``--template-dir`` tests: 9 when the prompt has the shape of
docs/examples/patarm-template/pointwise.j2, else 1."""

from __future__ import annotations


def judge(prompt: str, seed: int | None) -> str:
    shaped = prompt.startswith("<task>") and "Please act as an impartial judge" in prompt
    return "<answer>9</answer>" if shaped else "<answer>1</answer>"
