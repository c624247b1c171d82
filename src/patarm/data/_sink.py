"""Rows written as they come: JSON lines, or Parquet in row groups (memory stays bounded).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.parquet"
>>> write_rows(path, ({"i": i} for i in range(5)), batch_rows=2)
5
>>> import pyarrow.parquet as pq; pq.read_table(path).num_rows
5
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from patarm.errors import InputError
from patarm.store import atomic_path

__all__ = ["write_rows"]


def write_rows(path: str | Path, rows: Iterable[Mapping[str, Any]], *, batch_rows: int = 10_000) -> int:
    """Write ``rows`` to ``path`` (``.parquet``, or ``.jsonl``/``.ndjson``), replacing it; returns the count.

    The rows go to a temporary file beside ``path``, renamed into place once every row is
    written: an interrupted run leaves the earlier file (or none), never a part of the new one.
    Parquet takes its schema from the first batch; later batches are cast to it.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".parquet"):
        raise InputError(f"{target}: unknown output format {suffix!r}; expected .parquet or .jsonl")
    with atomic_path(target) as scratch:
        if suffix == ".parquet":
            return _write_parquet(scratch, rows, batch_rows)
        count = 0
        with scratch.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        return count


def _write_parquet(target: Path, rows: Iterable[Mapping[str, Any]], batch_rows: int) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer: Any = None
    count = 0
    batch: list[Mapping[str, Any]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_rows:
                writer = _flush(pa, pq, target, writer, batch)
                count += len(batch)
                batch = []
        if batch or writer is None:
            writer = _flush(pa, pq, target, writer, batch)
            count += len(batch)
    finally:
        if writer is not None:
            writer.close()
    return count


def _flush(pa: Any, pq: Any, target: Path, writer: Any, batch: list[Mapping[str, Any]]) -> Any:
    if writer is None:
        table = pa.Table.from_pylist([dict(r) for r in batch])
        writer = pq.ParquetWriter(target, table.schema)
    else:
        table = pa.Table.from_pylist([dict(r) for r in batch], schema=writer.schema)
    writer.write_table(table)
    return writer
