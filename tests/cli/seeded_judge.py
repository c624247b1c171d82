"""A judge for seed tests: its score is drawn from ``random.Random(seed)``, so any change in
the seed a prompt receives shows up in its judgment."""

from __future__ import annotations

import random


def judge(prompt: str, seed: int | None) -> str:
    rng = random.Random(seed)
    return f"<rationale>draw {rng.random():.12f}</rationale><answer>{rng.randint(1, 10)}</answer>"
