"""Rows streamed from local files, one at a time: JSON lines, CSV, Parquet (batch by batch),
a JSON list, or a ``datasets`` folder saved to disk.

Streaming keeps memory bounded on corpora of millions of pairs: JSON lines and CSV are read
line by line, Parquet record batch by record batch, a saved dataset row by row (its Arrow
files are memory-mapped). A ``.json`` list is the one format that has to be parsed whole.

>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
>>> _ = path.write_text("prompt,chosen,rejected\\nhi,hello,go away\\n")
>>> [row["chosen"] for row in iter_rows(path)]
['hello']
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["SUFFIXES", "iter_rows", "numbered_jsonl"]

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")


def iter_rows(path: str | Path, *, split: str | None = None, batch_rows: int = 8192) -> Iterator[dict[str, Any]]:
    """Rows of a local file or saved dataset, as dicts, one at a time. Errors name the file and line."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    if source.is_dir():
        yield from _dataset_rows(source, split)
        return
    suffix = source.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from (row for _, row in numbered_jsonl(source))
    elif suffix == ".csv":
        with source.open(encoding="utf-8", newline="") as f:
            yield from (dict(row) for row in csv.DictReader(f))
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(source)
        for batch in parquet.iter_batches(batch_size=batch_rows):
            yield from batch.to_pylist()
    elif suffix == ".json":
        data = json.loads(source.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(f"{source}: expected a JSON list of objects (or JSON lines in a .jsonl file)")
        yield from data
    else:
        raise ValueError(f"{source}: unknown format {suffix!r}; expected one of {', '.join(SUFFIXES)} or a folder")


def numbered_jsonl(source: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of a JSON-lines file with their line numbers (blank lines skipped); a line
    that is not a JSON object is an error naming the file and line."""
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
            yield number, row


def _dataset_rows(source: Path, split: str | None) -> Iterator[dict[str, Any]]:
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
    for row in loaded:
        yield dict(row)
