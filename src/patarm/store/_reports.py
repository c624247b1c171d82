"""A report as two files, ``NAME.json`` and ``NAME.md``, written atomically and read back with
checks: the one shape of ``patarm audit`` and ``patarm hackcheck`` reports (and any other)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.errors import InputError
from patarm.store._atomic import atomic_write

__all__ = ["read_report", "write_report"]


def write_report(
    report: Mapping[str, Any], folder: str | Path, name: str, markdown: Callable[[Mapping[str, Any]], str]
) -> tuple[Path, Path]:
    """Write ``NAME.json`` (the report) and ``NAME.md`` (``markdown(report)``) into ``folder``,
    each atomically; return their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / f"{name}.json") as f:
        f.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    with atomic_write(out / f"{name}.md") as f:
        f.write(markdown(report))
    return out / f"{name}.json", out / f"{name}.md"


def read_report(path: str | Path, name: str, kind: str, fields: Sequence[str]) -> dict[str, Any]:
    """``NAME.json`` at ``path`` (or in the folder ``path``), checked to be a JSON object with
    every one of ``fields``; an error names the file and what is wrong (``kind``: ``audit``...).

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_report({"checks": []}, folder, "audit", lambda r: "# audit\\n")
    >>> read_report(folder, "audit", "audit", ["checks"])
    {'checks': []}
    """
    p = Path(path)
    if p.is_dir():
        p = p / f"{name}.json"
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such {kind} report")
    try:
        data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: not a JSON {kind} report ({exc.msg}, line {exc.lineno})") from None
    missing = [f for f in fields if not isinstance(data, dict) or f not in data]
    if missing:
        named = " or ".join(repr(f) for f in missing)
        raise InputError(f"{p}: not {'an' if kind[0] in 'aeiou' else 'a'} {kind} report (no {named} field)")
    return data
