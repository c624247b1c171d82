"""The Best-of-N input: one JSON object per line,
``{"prompt": ..., "responses": [...], "correct": [...]}``.

- ``prompt``: the user's prompt, a string or a list of ``{"role", "content"}`` messages;
- ``responses``: the N candidates (non-empty strings), at least one;
- ``correct``: one boolean per candidate, whether it is a correct answer;
- optional ``id`` (a string, for messages) and ``domain`` (the rubric to judge with).

Every malformed row stops the command with an error naming the file, the line and the field.

>>> import json, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "bon.jsonl")
>>> _ = open(path, "w").write(json.dumps({"prompt": "2+2?", "responses": ["4", "5"], "correct": [True, False]}))
>>> [row.correct for row in load_candidates(path)]
[(True, False)]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patarm.errors import InputError

__all__ = ["CandidateRow", "load_candidates"]


@dataclass(frozen=True)
class CandidateRow:
    """One prompt with its candidates and whether each is correct."""

    key: str
    prompt: str | list[dict[str, str]]
    responses: tuple[str, ...]
    correct: tuple[bool, ...]
    domain: str | None = None


def _prompt(value: Any, where: str) -> str | list[dict[str, str]]:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value:
        for i, message in enumerate(value):
            if not (
                isinstance(message, dict)
                and isinstance(message.get("role"), str)
                and isinstance(message.get("content"), str)
            ):
                raise InputError(f"{where}, field 'prompt'[{i}]: expected {{'role': str, 'content': str}}")
        return [{"role": m["role"], "content": m["content"]} for m in value]
    raise InputError(f"{where}, field 'prompt': expected a non-empty string or a list of messages")


def _row(record: Any, where: str, line: int) -> CandidateRow:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(record).__name__}")
    for name in ("prompt", "responses", "correct"):
        if name not in record:
            raise InputError(f"{where}, field {name!r}: missing")
    prompt = _prompt(record["prompt"], where)
    responses, correct = record["responses"], record["correct"]
    if not isinstance(responses, list) or not responses:
        raise InputError(f"{where}, field 'responses': expected a non-empty list of strings")
    for i, text in enumerate(responses):
        if not isinstance(text, str) or not text:
            raise InputError(f"{where}, field 'responses'[{i}]: expected a non-empty string")
    if not isinstance(correct, list) or len(correct) != len(responses):
        n = len(correct) if isinstance(correct, list) else type(correct).__name__
        raise InputError(f"{where}, field 'correct': expected {len(responses)} booleans (one per response), got {n}")
    for i, flag in enumerate(correct):
        if not isinstance(flag, bool):
            raise InputError(f"{where}, field 'correct'[{i}]: expected true or false, got {flag!r}")
    key, domain = record.get("id", f"line-{line}"), record.get("domain")
    if not isinstance(key, str):
        raise InputError(f"{where}, field 'id': expected a string")
    if domain is not None and not isinstance(domain, str):
        raise InputError(f"{where}, field 'domain': expected a string")
    return CandidateRow(key, prompt, tuple(responses), tuple(correct), domain)


def load_candidates(path: str | Path) -> list[CandidateRow]:
    """Read a Best-of-N file (JSONL); blank lines are allowed, anything else malformed is an
    :class:`~patarm.errors.InputError` naming file, line and field."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, 1):
            if not text.strip():
                continue
            where = f"{path} line {line}"
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
            rows.append(_row(record, where, line))
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows
