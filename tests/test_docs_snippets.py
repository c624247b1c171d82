"""The documentation's code fences: each one is run by the snippet tests or says why not.

The snippet tests themselves (pytest-codeblocks, in the docs environment) are in
``.ci/stacks/docs.sh``; this checks, in any environment, that no fence escapes them: every
fence is in a language the runner executes (python, bash) or one that is not code to run
(text, yaml, json, ...), and every skipped fence gives a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
RUN = {"python", "bash"}
NOT_CODE = {"text", "yaml", "json", "toml", "jinja", ""}
FENCE = re.compile(r"^```(\S*)\s*$")
SKIP = re.compile(r"^<!--pytest\.mark\.skip(?:\((.*)\))?-->$")


def fences(page: Path) -> list[tuple[int, str, str]]:
    """(line number, language, the line before) of each opening fence."""
    out, inside, previous = [], False, ""
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        match = FENCE.match(line)
        if match and not inside:
            out.append((number, match.group(1), previous))
            inside = True
        elif line.startswith("```") and inside:
            inside = False
        if line.strip():
            previous = line.strip()
    return out


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_fence_runs_or_says_why_not(page: Path) -> None:
    problems = []
    for number, language, before in fences(page):
        if language not in RUN | NOT_CODE:
            problems.append(f"line {number}: fence language {language!r} is neither run ({sorted(RUN)}) nor plain")
        skip = SKIP.match(before)
        if skip and not re.fullmatch(r'reason="[^"]{10,}"', skip.group(1) or ""):
            problems.append(f'line {number}: a skipped snippet needs reason="..." saying why it cannot run')
    assert not problems, f"{page.name}: " + "; ".join(problems)


def test_fences_are_found() -> None:
    # the checker sees the README's two set-up commands, so it cannot pass by reading nothing
    assert [lang for _, lang, _ in fences(ROOT / "README.md")][:2] == ["bash", "bash"]


def test_readme_links_into_the_site_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in t]
    assert any(t.startswith("docs/") for t in targets)
    assert [t for t in targets if not (ROOT / t).exists()] == []
