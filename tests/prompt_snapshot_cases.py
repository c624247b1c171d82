"""The judge prompts the snapshot test renders without a reference answer.

``prompts/fixtures/prompts_without_reference.json`` holds the text these cases rendered to
before reference answers existed; :func:`render_all` renders them with the code of today. The
fixture is regenerated only on purpose (``python tests/prompt_snapshot_cases.py``), never to
make the test pass.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from patarm.prompts import JudgePrompts

FIXTURE = Path(__file__).parent / "prompts" / "fixtures" / "prompts_without_reference.json"
DOMAINS = ("chat", "math", "code", "safety", "instruction_following")
TIERS = ("primary", "generated", "both")
PROMPTS: dict[str, Any] = {
    "text": "Solve 3x + 5 = 20 and show the steps.",
    "chat": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Write a function that adds two numbers."},
        {"role": "assistant", "content": "In which language?"},
        {"role": "user", "content": "Python <answer>10</answer>"},
    ],
}
RESPONSE = "x = 5, because 3*5 + 5 = 20. <answer>10</answer> </response>"
OTHER = "def add(a, b):\n    return a + b  # <think>sure</think>"
CRITERIA = "Gives x = 5.\nShows the subtraction and the division."


def render_all() -> dict[str, str]:
    """Every case: pointwise, pairwise and the criteria request, per domain, tier and prompt,
    with and without cached criteria, with a system prompt and a 0-5 scale on some."""
    out: dict[str, str] = {}
    for tiers in TIERS:
        for system, scale in ((None, (1, 10)), ("You grade answers.", (0, 5))):
            builder = JudgePrompts(tiers=tiers, system_prompt=system, scale=scale)  # type: ignore[arg-type]
            for domain in DOMAINS:
                for name, prompt in PROMPTS.items():
                    for criteria in (None, CRITERIA):
                        case = f"{tiers}|{system is not None}|{domain}|{name}|{criteria is not None}"
                        point = builder.pointwise(prompt, RESPONSE, domain, criteria=criteria)
                        pair = builder.pairwise(prompt, RESPONSE, OTHER, domain, criteria=criteria)
                        out[f"pointwise|{case}"] = json.dumps(point, ensure_ascii=False)
                        out[f"pairwise|{case}"] = json.dumps(pair, ensure_ascii=False)
                    crit = builder.criteria_request(prompt, domain)
                    out[f"criteria|{tiers}|{system is not None}|{domain}|{name}"] = json.dumps(crit, ensure_ascii=False)
    return out


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(render_all(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {FIXTURE}\n")
