"""A cache of generated (instance-specific) criteria, keyed by prompt and domain.

Criteria written once per prompt and reused for every response to it: N candidates are
judged against the same criteria, for fewer generated tokens. The cache persists as JSON
lines, one entry per (domain, prompt).

>>> cache = CriteriaCache()
>>> cache.put("Write a haiku.", "chat", "Three lines of 5, 7 and 5 syllables.")
>>> cache.get("Write a haiku.", "chat")
'Three lines of 5, 7 and 5 syllables.'
>>> cache.get("Write a haiku.", "code") is None
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["CriteriaCache"]


class CriteriaCache:
    """Generated criteria by (domain, prompt text); optionally backed by a JSONL file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._entries: dict[str, str] = {}
        if self.path is not None and self.path.exists():
            self.load(self.path)

    @staticmethod
    def key(prompt: str, domain: str) -> str:
        """A stable key for (domain, prompt text)."""
        return hashlib.sha256(f"{domain}\x00{prompt}".encode()).hexdigest()

    def get(self, prompt: str, domain: str) -> str | None:
        return self._entries.get(self.key(prompt, domain))

    def put(self, prompt: str, domain: str, criteria: str) -> None:
        """Store criteria; appended to the backing file at once when there is one."""
        key = self.key(prompt, domain)
        self._entries[key] = criteria
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"key": key, "domain": domain, "criteria": criteria}) + "\n")

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, path: str | Path) -> None:
        """Read entries from a JSONL file (later lines win); a bad line is an error naming it."""
        with Path(path).open("rb") as f:  # bytes: a line that is not UTF-8 is named like any other bad line
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    key, criteria = row["key"], row["criteria"]
                    if not isinstance(key, str) or not isinstance(criteria, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError, RecursionError):
                    raise ValueError(
                        f"{path} line {number}: expected {{'key': str, 'domain': str, 'criteria': str}}"
                    ) from None
                self._entries[key] = criteria

    def save(self, path: str | Path) -> None:
        """Write every entry to ``path`` (replacing it)."""
        with Path(path).open("w", encoding="utf-8") as f:
            for key, criteria in self._entries.items():
                f.write(json.dumps({"key": key, "criteria": criteria}) + "\n")
