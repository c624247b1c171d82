"""The public modules of patarm and the names each exports, read from the source (no import).

Shared by the reference page generator (``gen_ref_pages.py``) and the reference check
(``check_reference.py``): a module is public when no part of its dotted name starts with an
underscore; its exported names are its literal ``__all__``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
# Kept importable for one release, documented only in the changelog.
DEPRECATED = {"patarm.policy"}
# A Sphinx role in a docstring (:func:`x`), rendered as inline code on the site.
ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|const):`~?([^`]+)`")


def public_modules() -> list[tuple[str, Path]]:
    """(dotted name, source file) of every public module and package, sorted by name."""
    found = []
    for path in sorted((SRC / "patarm").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        name = ".".join(parts)
        if name in DEPRECATED or any(name.startswith(d + ".") for d in DEPRECATED):
            continue
        found.append((name, path))
    return sorted(found)


def exported_names(path: Path) -> list[str]:
    """The module's literal ``__all__`` (empty when it has none)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            return [str(v) for v in ast.literal_eval(node.value)]
    return []


def summary_line(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return ROLE.sub(r"`\1`", " ".join(doc.split("\n\n")[0].split())).replace("|", "\\|")
