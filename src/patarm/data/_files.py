"""Rows from local files (JSON lines, a JSON list, CSV, Parquet, a ``datasets`` folder), and
a resumable JSON-lines writer.

No hub access: a dataset must already be on disk (``Dataset.save_to_disk``).

>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
>>> _ = path.write_text(json.dumps({"id": 1}) + "\\n\\n" + json.dumps({"id": 2}) + "\\n")
>>> [row["id"] for row in read_rows(path)]
[1, 2]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from patarm.data._stream import iter_rows

__all__ = ["JsonlWriter", "read_jsonl_ids", "read_rows"]


def read_rows(path: str | Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """All rows of a local file or saved dataset, as dicts (:func:`iter_rows`, collected).
    Errors name the file and line."""
    return list(iter_rows(path, split=split))


def read_jsonl_ids(path: str | Path, key: str = "id") -> tuple[set[str], int]:
    """Ids already written to a JSONL output, and how many lines were unreadable (a line cut
    short by an interrupted run): resuming skips the ids and redoes the rest."""
    source = Path(path)
    done: set[str] = set()
    broken = 0
    if not source.exists():
        return done, broken
    with source.open("rb") as f:  # bytes: a line that is not UTF-8 counts as unreadable, like a cut one
        for line in f:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                done.add(str(row[key]))
            except (ValueError, KeyError, TypeError, RecursionError):
                broken += 1
    return done, broken


class JsonlWriter:
    """Appends one JSON object per line and flushes each, so an interrupted run keeps its work.
    A last line left unfinished by an interrupted run is removed on opening."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            data = self.path.read_bytes()
            if data and not data.endswith(b"\n"):  # a record cut short by an interrupted run: drop it
                with self.path.open("r+b") as f:
                    f.truncate(data.rfind(b"\n") + 1)
        self._file: IO[str] = self.path.open("a", encoding="utf-8")

    def write(self, row: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
