"""One resumable JSON-lines store: keyed records appended as they come.

File layout: the first line is a header ``{"patarm_store": KIND, "settings": {...}}``; every
other line is one record, a JSON object whose ``key`` field (default ``"id"``) names it. A
later record with the same key replaces an earlier one.

Policies, the same for every cache and resumable output:

- **settings**: opening a store written with other settings raises
  :class:`StoreSettingsError`, which lists every changed setting, whole, and only those
  (``seed: 0 then, 1 now``; nested settings by their dotted name, ``judge.samples``);
  resuming with other settings would mix two runs in one result;
- **torn last line**: a last line without its newline is a record cut short by an
  interrupted write. It is dropped, counted in :attr:`JsonlStore.torn` (callers report it)
  and cut from the file before anything is appended, so that record is simply redone;
- **anything else unreadable** (a bad line in the middle, a missing header, another kind of
  store) is an error naming the file and line: nothing is silently skipped;
- **compaction** (:meth:`JsonlStore.compact`) rewrites header plus the latest record per key
  to a temporary file and renames it into place. Opening a store compacts it when its
  superseded records outnumber the live ones (so a store never grows past twice its live
  records), and removes the temporary file a compaction killed midway left beside it.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cache.jsonl"
>>> with JsonlStore(path, "demo", {"seed": 0}) as store:
...     store.put({"id": "a", "score": 3})
>>> with open(path, "a") as f:
...     _ = f.write('{"id": "b", "sco')  # a write cut short
>>> again = JsonlStore(path, "demo", {"seed": 0})
>>> again.get("a"), again.torn
({'id': 'a', 'score': 3}, 1)
>>> again.close()
>>> JsonlStore(path, "demo", {"seed": 1})
Traceback (most recent call last):
...
patarm.errors.StoreSettingsError: ... made with other settings (seed: 0 then, 1 now); ...
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from patarm.errors import (
    ConfigError,
    StoreSettingsError,
)
from patarm.store._atomic import atomic_write

__all__ = ["JsonlStore", "StoreSettingsError"]

HEADER = "patarm_store"


def _changes(then: Any, now: Any, name: str = "") -> list[tuple[str, Any, Any]]:
    """Every setting that differs, nested settings by their dotted name (``judge.samples``)."""
    if isinstance(then, dict) and isinstance(now, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(then) | set(now), key=str):
            out += _changes(then.get(key), now.get(key), f"{name}.{key}" if name else str(key))
        return out
    return [] if then == now else [(name, then, now)]


def _plain(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as JSON gives them back (tuples become lists), so that comparisons hold."""
    plain: dict[str, Any] = json.loads(json.dumps(dict(settings), ensure_ascii=False, sort_keys=True))
    return plain


class JsonlStore:
    """Records by key in a JSONL file with a settings header (see the module docstring).

    Only each record's byte offset is held in memory; :meth:`get` reads the record back, so
    a store of a million judgments costs a dict of offsets, not the judgments.

    Args:
        path: the file; created (with its header) when missing. None: in memory only.
        kind: what the store holds (``"judgments"``); a store of another kind is refused.
        settings: what the records depend on; a store made with other settings is refused.
        key: the record field that names a record.
    """

    def __init__(
        self, path: str | Path | None, kind: str, settings: Mapping[str, Any] | None = None, *, key: str = "id"
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.kind, self.key = kind, key
        self.settings = _plain(settings or {})
        self.torn = 0
        self.superseded = 0  # records in the file that a later record with their key replaced
        self._memory: dict[str, dict[str, Any]] = {}
        self._offsets: dict[str, int] = {}
        self._file: IO[bytes] | None = None
        if self.path is None:
            return
        if self.path.is_dir():
            raise ConfigError(f"{self.path}: is a folder; name a file for the {kind} store")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for scratch in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
            scratch.unlink(missing_ok=True)  # left by a compaction killed midway
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        self._file = self.path.open("a+b")
        try:
            if fresh:
                self._append({HEADER: kind, "settings": self.settings})
            else:
                self._read(self._file)
                if self.superseded > len(self._offsets):
                    self.compact()
        except BaseException:
            self.close()
            raise

    def _read(self, f: IO[bytes]) -> None:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
        header_line = f.readline()
        self._check_header(header_line if header_line.endswith(b"\n") else b"")
        offset, number = len(header_line), 1
        for line in iter(f.readline, b""):
            number += 1
            if not line.endswith(b"\n"):  # the last line has no newline: a write cut short
                self.torn = 1
                f.truncate(offset)
                break
            if line.strip():
                name = self._key_of(line, number)
                self.superseded += name in self._offsets
                self._offsets[name] = offset
            offset += len(line)
        assert offset <= size

    def _check_header(self, line: bytes) -> None:
        try:
            header = json.loads(line) if line else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            header = None
        if not isinstance(header, dict) or header.get(HEADER) != self.kind:
            found = f"a {header[HEADER]} store" if isinstance(header, dict) and HEADER in header else "no store header"
            raise ConfigError(
                f"{self.path} line 1: expected the header of a {self.kind} store, found {found}; use another file"
            )
        changed = _changes(header.get("settings") or {}, self.settings)
        if changed:
            assert self.path is not None
            raise StoreSettingsError(self.path, changed)

    def _key_of(self, line: bytes, number: int) -> str:
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or record.get(self.key) is None:
                raise TypeError
        except (ValueError, TypeError, RecursionError):  # bad JSON, not UTF-8, nested too deep
            raise ConfigError(
                f"{self.path} line {number}: expected a JSON object with field {self.key!r} "
                "(a damaged store: use another file)"
            ) from None
        return str(record[self.key])

    def _append(self, record: Mapping[str, Any]) -> int:
        assert self._file is not None
        self._file.seek(0, 2)
        offset = self._file.tell()
        self._file.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        self._file.flush()
        return offset

    def put(self, record: Mapping[str, Any]) -> None:
        """Keep ``record`` (it must carry the key field): appended to the file at once."""
        if record.get(self.key) is None:
            raise ConfigError(f"a {self.kind} record needs field {self.key!r}")
        name = str(record[self.key])
        if self.path is None:
            self._memory[name] = dict(record)
        else:
            self.superseded += name in self._offsets
            self._offsets[name] = self._append(record)

    def get(self, name: str) -> dict[str, Any] | None:
        """The latest record named ``name``, or None."""
        if self.path is None:
            return self._memory.get(str(name))
        offset = self._offsets.get(str(name))
        if offset is None:
            return None
        if self._file is None:
            raise ConfigError(f"{self.path}: the {self.kind} store is closed")
        self._file.seek(offset)
        record: dict[str, Any] = json.loads(self._file.readline())
        return record

    def keys(self) -> list[str]:
        return list(self._memory if self.path is None else self._offsets)

    def __contains__(self, name: object) -> bool:
        return str(name) in (self._memory if self.path is None else self._offsets)

    def __len__(self) -> int:
        return len(self._memory if self.path is None else self._offsets)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The latest record per key, in the order keys were first written."""
        for name in self.keys():
            record = self.get(name)
            assert record is not None
            yield record

    def compact(self) -> None:
        """Rewrite the file as its header plus the latest record per key, atomically."""
        if self.path is None or self._file is None:
            return
        offsets: dict[str, int] = {}
        with atomic_write(self.path, "wb") as out:
            out.write((json.dumps({HEADER: self.kind, "settings": self.settings}, ensure_ascii=False) + "\n").encode())
            for name in self.keys():
                offsets[name] = out.tell()
                self._file.seek(self._offsets[name])
                out.write(self._file.readline())
        self._file.close()
        self._file = self.path.open("a+b")
        self._offsets = offsets
        self.superseded = 0

    def close(self) -> None:
        """Close the file; the records stay readable only until then."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> JsonlStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
