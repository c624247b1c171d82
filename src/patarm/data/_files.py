"""Rows from local files: JSON lines, a JSON list, Parquet, or a ``datasets`` folder.

No hub access: a dataset must already be on disk (``Dataset.save_to_disk``).

>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
>>> _ = path.write_text(json.dumps({"id": 1}) + "\\n\\n" + json.dumps({"id": 2}) + "\\n")
>>> [row["id"] for row in read_rows(path)]
[1, 2]
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = ["JsonlWriter", "read_jsonl_ids", "read_rows"]


def read_rows(path: str | Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """All rows of a local file or saved dataset, as dicts. Errors name the file and line."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    if source.is_dir():
        return _read_dataset_dir(source, split)
    suffix = source.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return list(_read_jsonl(source))
    if suffix == ".json":
        data = json.loads(source.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(f"{source}: expected a JSON list of objects (or JSON lines in a .jsonl file)")
        return data
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        rows: list[dict[str, Any]] = pq.read_table(source).to_pylist()
        return rows
    raise ValueError(f"{source}: unknown format {suffix!r}; expected .jsonl, .json, .parquet or a dataset folder")


def _read_jsonl(source: Path) -> Iterator[dict[str, Any]]:
    with source.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{source}: line {number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{source}: line {number}: expected a JSON object, got {type(row).__name__}")
            yield row


def _read_dataset_dir(source: Path, split: str | None) -> list[dict[str, Any]]:
    import datasets

    loaded = datasets.load_from_disk(str(source))
    if isinstance(loaded, datasets.DatasetDict):
        if split is None:
            if len(loaded) != 1:
                raise ValueError(f"{source}: a dataset with splits {sorted(loaded)}; choose one with a split")
            split = next(iter(loaded))
        if split not in loaded:
            raise ValueError(f"{source}: no split {split!r}; splits: {sorted(loaded)}")
        loaded = loaded[split]
    return [dict(row) for row in loaded]


def read_jsonl_ids(path: str | Path, key: str = "id") -> tuple[set[str], int]:
    """Ids already written to a JSONL output, and how many lines were unreadable (a line cut
    short by an interrupted run): resuming skips the ids and redoes the rest."""
    source = Path(path)
    done: set[str] = set()
    broken = 0
    if not source.exists():
        return done, broken
    with source.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                done.add(str(row[key]))
            except (json.JSONDecodeError, KeyError, TypeError):
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
