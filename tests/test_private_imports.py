"""No module of one patarm package imports another package's private module or private name: a
package's ``__init__`` (and its public modules, such as ``patarm.audit.plots``) is its contract,
and its private modules may change without notice.

Top-level private modules (``patarm._stats``, ``patarm._stream`` ...) are the shared internals
every package may import; a name one package needs from another is exported by that package, or
moves to one of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "patarm"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(src: Path = SRC) -> list[tuple[str, str]]:
    """(importing file, what it imports) for every import of another package's private module,
    or of a private name from another package or public module, in the package at ``src``."""
    found = []
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).parts
        own = parts[0] if len(parts) > 1 else None
        where = path.relative_to(src.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if _crosses(node.module, own):
                    found.append((where, node.module))
                else:  # from a public module: its private names
                    found += [
                        (where, f"{node.module}.{a.name}")
                        for a in node.names
                        if _crosses(f"{node.module}.{a.name}", own)
                    ]
            elif isinstance(node, ast.Import):
                found += [(where, alias.name) for alias in node.names if _crosses(alias.name, own)]
    return found


def _crosses(dotted: str, own: str | None) -> bool:
    """``dotted`` (a module, or a module's name) is private to a patarm package other than ``own``."""
    names = dotted.split(".")
    if names[0] != "patarm" or len(names) < 3 or names[1] == own or _private(names[1]):
        return False
    return any(_private(part) for part in names[2:])


def test_no_package_imports_another_packages_private_module() -> None:
    assert private_imports() == []


def test_the_check_sees_each_form_of_import(tmp_path: Path) -> None:
    """A private module imported as a module or from its package, a private name from a public
    module; not the package's own private modules, nor the shared top-level ones."""
    cli = tmp_path / "patarm" / "cli"
    cli.mkdir(parents=True)
    (cli / "_x.py").write_text(
        "import patarm.audit._plots\n"
        "from patarm.audit import _pairs, run_audit\n"
        "from patarm.audit._run import run_audit\n"
        "from patarm.parsing import _helper, parse_score\n"
        "from patarm.cli import _own\n"
        "from patarm.cli._common import _own_helper\n"
        "from patarm._stream import iter_rows\n"
        "from patarm._version import __version__\n",
        encoding="utf-8",
    )
    assert private_imports(tmp_path / "patarm") == [
        ("patarm/cli/_x.py", "patarm.audit._plots"),
        ("patarm/cli/_x.py", "patarm.audit._pairs"),
        ("patarm/cli/_x.py", "patarm.audit._run"),
        ("patarm/cli/_x.py", "patarm.parsing._helper"),
    ]
