"""No module of one patarm package imports another package's private module: a package's
``__init__`` is its contract, and its private modules may change without notice.

The few imports still left are listed below, each with its reason; the list may only shrink
(a listed import that is gone fails too, so the list stays true).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "patarm"

# (importing top-level package, imported private module): why it stays.
ALLOWED = {}


def private_imports() -> set[tuple[str, str]]:
    """(importing top-level package, imported private module) for every cross-package import."""
    found = set()
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        own = parts[0] if len(parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                names = module.split(".")
                if names[0] != "patarm" or len(names) < 3 or names[1] == own or names[1].startswith("_"):
                    continue
                if any(part.startswith("_") for part in names[2:]):
                    found.add((str(own or path.stem), module))
    return found


def test_no_package_imports_another_packages_private_module() -> None:
    found = private_imports()
    assert sorted(found - set(ALLOWED)) == []


def test_the_allowed_list_holds_only_imports_that_still_exist() -> None:
    assert sorted(set(ALLOWED) - private_imports()) == []
