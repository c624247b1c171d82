"""Rows streamed from local files, one at a time: JSON lines, CSV, Parquet (batch by batch),
a JSON list, or a ``datasets`` folder saved to disk.

Streaming keeps memory bounded on corpora of millions of pairs: JSON lines and CSV are read
line by line, Parquet record batch by record batch, a saved dataset row by row (its Arrow
files are memory-mapped). A ``.json`` list is the one format that has to be parsed whole.
Pair files patarm writes are JSON lines: :func:`jsonl_output` refuses another name up front.

>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
>>> _ = path.write_text("prompt,chosen,rejected\\nhi,hello,go away\\n")
>>> [row["chosen"] for row in iter_rows(path)]
['hello']
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patarm.errors import InputError

__all__ = [
    "SUFFIXES",
    "UnreadableLine",
    "iter_rows",
    "jsonl_output",
    "located_rows",
    "numbered_jsonl",
    "row_location",
]

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")
_CSV_FIELD_LIMIT = 2**31 - 1  # the largest limit every platform's csv module accepts
# JSON may escape a UTF-16 surrogate ("\\ud800"); paired ones decode to one character, a lone
# one stays a surrogate, which no UTF-8 writer, tokenizer or server accepts.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def iter_rows(
    path: str | Path, *, split: str | None = None, batch_rows: int = 8192, skip_unreadable: bool = False
) -> Iterator[dict[str, Any]]:
    """Rows of a local file or saved dataset, as dicts, one at a time. Errors name the file and line.

    With ``skip_unreadable``, a JSON line that cannot be read (cut short, not an object, not
    UTF-8, nested too deep) is yielded as an :class:`UnreadableLine` in its place instead of
    stopping the stream, so the caller can count it."""
    for _, row in located_rows(path, split=split, batch_rows=batch_rows, skip_unreadable=skip_unreadable):
        yield row


@dataclass(frozen=True)
class UnreadableLine:
    """A JSON line that could not be read, in the place of its row (``iter_rows(skip_unreadable=True)``)."""

    where: str
    problem: str


def jsonl_output(path: str | Path) -> None:
    """Pair files are JSON lines: refuse another suffix before any work is done."""
    if Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        raise InputError(f"{path}: pair files are written as JSON lines; name the output .jsonl")


def located_rows(
    path: str | Path, *, split: str | None = None, batch_rows: int = 8192, skip_unreadable: bool = False
) -> Iterator[tuple[str, Any]]:
    """:func:`iter_rows` with each row's place in the file: ``"line N"`` (JSON lines; CSV: the
    line the record starts on) or ``"row N"`` (JSON lists, Parquet, datasets; from 0)."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    if source.is_dir():
        yield from ((f"row {i}", row) for i, row in enumerate(_dataset_rows(source, split)))
        return
    suffix = source.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from ((f"line {n}", row) for n, row in numbered_jsonl(source, skip_unreadable=skip_unreadable))
    elif suffix == ".csv":
        yield from _csv_rows(source)
    elif suffix == ".parquet":
        yield from ((f"row {i}", row) for i, row in enumerate(_parquet_rows(source, batch_rows)))
    elif suffix == ".json":
        for i, row in enumerate(_json_list(source)):
            field = lone_surrogate_field(row)
            if field is not None:
                raise InputError(f"{source} row {i}: {_surrogate_message(field)}")
            yield f"row {i}", row
    else:
        raise InputError(f"{source}: unknown format {suffix!r}; expected one of {', '.join(SUFFIXES)} or a folder")


def row_location(path: str | Path, index: int, *, split: str | None = None) -> str | None:
    """Where row ``index`` (0-based, in :func:`iter_rows` order) sits in ``path``: ``"line N"`` or
    ``"row N"``; None when the file has fewer rows. Reads the file again up to that row, so it
    is meant for error messages, not for every row."""
    try:
        for i, (where, _) in enumerate(located_rows(path, split=split, skip_unreadable=True)):
            if i == index:
                return where
    except (OSError, ValueError):
        return None
    return None


def _csv_rows(source: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    # Long texts (whole documents, long responses) are ordinary in preference data.
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        try:
            _ = reader.fieldnames  # reads the header line
            start = reader.line_num + 1
            for row in reader:
                yield f"line {start}", dict(row)
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise InputError(f"{source} line {_bad_utf8_line(source)}: not valid UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise InputError(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None


def _parquet_rows(source: Path, batch_rows: int) -> Iterator[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{source}: not a readable Parquet file ({exc})") from None
    for batch in parquet.iter_batches(batch_size=batch_rows):
        yield from batch.to_pylist()


def _json_list(source: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} line {_bad_utf8_line(source)}: not valid UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise InputError(f"{source}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{source}: expected a JSON list of objects (or JSON lines in a .jsonl file)")
    return data


def _bad_utf8_line(source: Path) -> int:
    """The number of the first line of ``source`` that is not valid UTF-8 (0 if none)."""
    with source.open("rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def numbered_jsonl(source: Path, *, skip_unreadable: bool = False) -> Iterator[tuple[int, Any]]:
    """The objects of a JSON-lines file with their line numbers (blank lines skipped); a line
    that is not a JSON object is an error naming the file and line (with ``skip_unreadable``,
    an :class:`UnreadableLine` in its place). Lines are decoded one at a time, so a byte that
    is not UTF-8 is reported on its own line."""
    with source.open("rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                row = _json_object(raw, number == 1)
            except ValueError as exc:
                if not skip_unreadable:
                    raise InputError(f"{source} line {number}: {exc}") from None
                yield number, UnreadableLine(f"{source} line {number}", str(exc))
                continue
            if row is not None:
                yield number, row


def _json_object(raw: bytes, first: bool) -> dict[str, Any] | None:
    """One JSON line as an object (None for a blank line); a ValueError says what is wrong."""
    try:
        line = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply to read)") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise InputError(f"not valid JSON ({exc})") from None
    if not isinstance(row, dict):
        raise InputError(f"expected a JSON object, got {type(row).__name__}")
    if _SURROGATE_ESCAPE.search(raw):
        field = lone_surrogate_field(row)
        if field is not None:
            raise InputError(_surrogate_message(field))
    return row


def lone_surrogate_field(value: Any, path: str = "") -> str | None:
    """The path (``prompt``, ``messages[0].content``) of the first string in ``value`` that holds
    a lone UTF-16 surrogate, or None when every string is valid Unicode.

    >>> lone_surrogate_field({"prompt": "ok", "messages": [{"content": "bad \\ud800"}]})
    'messages[0].content'
    """
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SURROGATE.search(key):
                return here
            found = lone_surrogate_field(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = lone_surrogate_field(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _surrogate_message(field: str) -> str:
    return f"field {field!r}: holds a lone UTF-16 surrogate (such as \\ud800), which is not valid Unicode"


def _dataset_rows(source: Path, split: str | None) -> Iterator[dict[str, Any]]:
    import datasets

    loaded = datasets.load_from_disk(str(source))
    if isinstance(loaded, datasets.DatasetDict):
        if split is None:
            if len(loaded) != 1:
                raise InputError(f"{source}: a dataset with splits {sorted(loaded)}; choose one with a split")
            split = next(iter(loaded))
        if split not in loaded:
            raise InputError(f"{source}: no split {split!r}; splits: {sorted(loaded)}")
        loaded = loaded[split]
    for row in loaded:
        yield dict(row)
