"""A cache of generated (instance-specific) criteria, keyed by prompt and domain.

Criteria written once per prompt and reused for every response to it: N candidates are
judged against the same criteria, for fewer generated tokens. The cache persists as a
:class:`~patarm.store.JsonlStore` (kind ``"criteria"``): one record per (domain, prompt)
with its domain, and a settings header (the model that wrote the criteria, say) that
refuses criteria written under other settings.

>>> cache = CriteriaCache()
>>> cache.put("Write a haiku.", "chat", "Three lines of 5, 7 and 5 syllables.")
>>> cache.get("Write a haiku.", "chat")
'Three lines of 5, 7 and 5 syllables.'
>>> cache.get("Write a haiku.", "code") is None
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from patarm.errors import InputError
from patarm.store import JsonlStore, atomic_path

__all__ = ["CRITERIA_STORE_KIND", "CriteriaCache"]

CRITERIA_STORE_KIND = "criteria"


class CriteriaCache:
    """Generated criteria by (domain, prompt text); optionally backed by a store file.

    ``settings`` go to the file's header: a file written under other settings is refused,
    naming them. Picklable: the file is reopened on the first write after unpickling."""

    def __init__(self, path: str | Path | None = None, *, settings: Mapping[str, Any] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.settings = dict(settings or {})
        self._entries: dict[str, tuple[str, str]] = {}
        self._store: JsonlStore | None = None
        if self.path is not None and (self.path.is_dir() or (self.path.exists() and self.path.stat().st_size > 0)):
            self._store = self._read(self.path)  # a missing file is created by the first put, not before

    @staticmethod
    def key(prompt: str, domain: str) -> str:
        """A stable key for (domain, prompt text)."""
        return hashlib.sha256(f"{domain}\x00{prompt}".encode()).hexdigest()

    def get(self, prompt: str, domain: str) -> str | None:
        entry = self._entries.get(self.key(prompt, domain))
        return entry[1] if entry is not None else None

    def put(self, prompt: str, domain: str, criteria: str) -> None:
        """Store criteria; appended to the backing file at once when there is one."""
        key = self.key(prompt, domain)
        self._entries[key] = (domain, criteria)
        if self.path is not None:
            if self._store is None:
                self._store = JsonlStore(self.path, CRITERIA_STORE_KIND, self.settings, key="key")
            self._store.put({"key": key, "domain": domain, "criteria": criteria})

    def __len__(self) -> int:
        return len(self._entries)

    def _read(self, path: Path) -> JsonlStore:
        store = JsonlStore(path, CRITERIA_STORE_KIND, self.settings, key="key")
        for record in store:
            domain, criteria = record.get("domain"), record.get("criteria")
            if not isinstance(domain, str) or not isinstance(criteria, str):
                store.close()
                raise InputError(
                    f"{path}: record {record['key']!r}: expected {{'key': str, 'domain': str, 'criteria': str}}"
                )
            self._entries[str(record["key"])] = (domain, criteria)
        return store

    def load(self, path: str | Path) -> None:
        """Add the entries of another criteria file written under the same settings."""
        self._read(Path(path)).close()

    def save(self, path: str | Path) -> None:
        """Write every entry, with its domain, to ``path`` (replacing it atomically)."""
        with atomic_path(path) as scratch, JsonlStore(scratch, CRITERIA_STORE_KIND, self.settings, key="key") as out:
            for key, (domain, criteria) in self._entries.items():
                out.put({"key": key, "domain": domain, "criteria": criteria})

    def close(self) -> None:
        """Close the backing file (reopened by the next write)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_store"] = None
        return state
