"""A deterministic judge for interruption tests: the score is 1 + (length // 3) capped at 10,
whatever the seed; a routing prompt (no ``<response>`` block) gets the domain ``chat``. Each
call first sleeps ``PATARM_TEST_SLEEP`` seconds (default 0), so a test can interrupt a run
midway."""

from __future__ import annotations

import os
import re
import time


def judge(prompt: str, seed: int | None) -> str:
    time.sleep(float(os.environ.get("PATARM_TEST_SLEEP", "0")))
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    if found is None:
        return "<answer>chat</answer>"
    score = min(10, 1 + len(found.group(1)) // 3)
    return f"<criteria>Length.</criteria><rationale>Long is good.</rationale><answer>{score}</answer>"
