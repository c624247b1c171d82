"""Rows from local files (JSON lines, a JSON list, CSV, Parquet, a ``datasets`` folder).

No hub access: a dataset must already be on disk (``Dataset.save_to_disk``).

>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
>>> _ = path.write_text(json.dumps({"id": 1}) + "\\n\\n" + json.dumps({"id": 2}) + "\\n")
>>> [row["id"] for row in read_rows(path)]
[1, 2]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from patarm._stream import iter_rows

__all__ = ["read_rows"]


def read_rows(path: str | Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """All rows of a local file or saved dataset, as dicts (:func:`iter_rows`, collected).
    Errors name the file and line."""
    return list(iter_rows(path, split=split))
