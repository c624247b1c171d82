"""The inputs of a check: prompts from a file and their held-out split, the demo's judge."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from patarm.errors import InputError

__all__ = ["demo_judge", "load_prompts", "split_prompts"]


def load_prompts(path: str | Path) -> list[str]:
    """The ``prompt`` field (text) of every row of a JSONL file; a bad row is an error naming
    file, row and field (nothing is skipped)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such prompts file")
    out = []
    with p.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{p} row {number}: not JSON ({exc.msg})") from None
            prompt = row.get("prompt") if isinstance(row, dict) else None
            if not isinstance(prompt, str) or not prompt.strip():
                raise InputError(f"{p} row {number}: field 'prompt' must be non-empty text")
            out.append(prompt)
    if not out:
        raise InputError(f"{p}: no prompts")
    return out


def split_prompts(prompts: Sequence[str], held_out: int, seed: int) -> tuple[list[str], list[str]]:
    """A seeded split: ``held_out`` prompts to evaluate on, the rest to train on.

    >>> train, held = split_prompts([str(i) for i in range(10)], 3, seed=0)
    >>> len(train), len(held), sorted(train + held) == sorted(str(i) for i in range(10))
    (7, 3, True)
    """
    if not 1 <= held_out < len(prompts):
        raise InputError(f"--eval-prompts {held_out}: expected 1 to {len(prompts) - 1} of {len(prompts)} prompts")
    order = list(range(len(prompts)))
    random.Random(seed).shuffle(order)
    held = sorted(order[:held_out])
    train = sorted(order[held_out:])
    return [prompts[i] for i in train], [prompts[i] for i in held]


def demo_judge(backend: Any, *, samples: int = 1, seed: int = 0) -> Any:
    """A pointwise judge with the demo's prompt (the task tag and the response) and rubric."""
    from patarm.demo import DEMO_TEMPLATE_DIR, demo_rubrics
    from patarm.judges import JudgeConfig, PointwiseJudge

    config = JudgeConfig(samples=samples, temperature=1.0, max_new_tokens=6, seed=seed, tiers="primary")
    return PointwiseJudge(backend, config, rubrics=demo_rubrics(), template_dir=str(DEMO_TEMPLATE_DIR))
