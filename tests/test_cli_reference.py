"""docs/reference/cli.md is committed (its links work on a code host too) and must be what the
parsers print: a new or changed option fails here until ``python docs/scripts/gen_cli_ref.py``
writes the page anew. Its help lines fit the site's code blocks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "docs" / "scripts" / "gen_cli_ref.py"


def _render() -> str:
    spec = importlib.util.spec_from_file_location("gen_cli_ref", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.render()
    return text


def test_committed_cli_reference_matches_the_parsers() -> None:
    page = ROOT / "docs" / "reference" / "cli.md"
    assert page.read_text(encoding="utf-8") == _render(), "run: python docs/scripts/gen_cli_ref.py"


def test_cli_reference_lines_fit_a_code_block() -> None:
    inside = False
    wide = []
    for number, line in enumerate(_render().splitlines(), 1):
        if line.startswith("```"):
            inside = not inside
        elif inside and len(line) > 88:
            wide.append((number, line))
    assert wide == []


def test_links_to_the_cli_reference_resolve_in_the_repository() -> None:
    """Every page's link to reference/cli.md points at a file that exists in the checkout."""
    import re

    missing = []
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]*cli\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).resolve().is_file():
                missing.append(f"{page.relative_to(ROOT)} -> {target}")
    assert missing == []


def test_help_texts_show_no_doubled_percent() -> None:
    """A description is printed as written (argparse %-formats only help strings): ``95%%`` in a
    description shows as ``95%%``; in a help string it must be doubled to show as ``95%``."""
    assert "%%" not in _render()
