"""The documentation's markdown renders as written: Python-Markdown (MkDocs) reads a list only
after a blank line, so a list glued to a paragraph or to a closing code fence renders as one
run of plain text. Every page of docs/ and README.md is checked."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_ITEM = re.compile(r"^(?:[-*+]|\d+\.) ")


def glued_lists(text: str) -> list[int]:
    """Line numbers (1-based) of list items that start a list without a blank line before them.

    >>> glued_lists("Text:\\n- a\\n- b\\n")
    [2]
    >>> glued_lists("Text:\\n\\n- a\\n- b\\n  more\\n")
    []
    >>> glued_lists("```\\ncode\\n```\\n- a\\n")
    [4]
    >>> glued_lists("```\\n- not a list\\n```\\n")
    []
    """
    bad: list[int] = []
    fenced = False
    previous = ""
    in_list = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            if not fenced and _ITEM.match(previous.lstrip()) is None:
                in_list = False
            fenced = not fenced
            previous = line if fenced else "```"
            continue
        if fenced:
            continue
        if _ITEM.match(line):
            if not in_list and previous.strip() and not previous.startswith(("|", "<!--", "#")):
                bad.append(number)
            in_list = True
        elif not stripped:
            in_list = in_list and False
        elif not line.startswith((" ", "\t")):
            in_list = False
        previous = line
    return bad


def test_every_list_starts_after_a_blank_line() -> None:
    problems = [f"{p.relative_to(ROOT)} line {n}" for p in PAGES for n in glued_lists(p.read_text(encoding="utf-8"))]
    assert problems == []
