"""A scripted judge for server tests (``patarm serve --backend python --model echo_judge.py:judge``).

It reads markers from the judge prompt (so from the request's prompt and response):
``ID=<n>`` -> score n (use ``--scale 0 1000000``) with rationale ``ID=<n>``; ``BOOM`` -> raises;
``SLEEP:<s>`` -> sleeps s seconds first; ``MALFORMED`` -> output without an answer tag;
``SURROGATE`` -> a rationale holding a lone surrogate; ``LEAKKEY`` -> raises with the server's API
key in the message (what a careless backend might do).
"""

from __future__ import annotations

import os
import re
import time

_ID = re.compile(r"ID=(\d+)")  # searched from the <response> tag on: linear on any text
_SLEEP = re.compile(r"SLEEP:([0-9.]+)")


def judge(prompt: str, seed: int | None) -> str:
    sleep = _SLEEP.search(prompt)
    if sleep:
        time.sleep(float(sleep.group(1)))
    if "BOOM" in prompt:
        raise RuntimeError("boom: the scripted backend failed")
    if "LEAKKEY" in prompt:
        raise RuntimeError("backend failed, token=" + os.environ.get("PATARM_JUDGE_API_KEY", "none"))
    if "SURROGATE" in prompt:
        return "<criteria>c</criteria><rationale>bad \ud800 text</rationale><answer>3</answer>"
    if "MALFORMED" in prompt:
        return "I will not give a score."
    found = _ID.search(prompt, max(prompt.find("<response>"), 0))
    ident = found.group(1) if found else "5"
    return f"<criteria>echo</criteria><rationale>ID={ident}</rationale><answer>{ident}</answer>"
