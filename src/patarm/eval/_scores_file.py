"""Per-response scores from a file, matched to the benchmark rows they belong to.

One JSON line per benchmark row: ``id``, ``scores_chosen`` and ``scores_rejected`` (lists with
one number, or null for a failed judgment, per response in the row's order; one element each
for RewardBench), and optionally ``subset`` / ``domain`` to tell apart rows whose ids repeat
(RM-Bench ids repeat across its domain files). Every data row needs exactly one line and
every line must match a row: a mismatch is an error, never a silent drop.

>>> import json, pathlib, tempfile
>>> from patarm.eval._rows import BenchmarkData, BenchmarkRow
>>> data = BenchmarkData("rewardbench", (BenchmarkRow("1", "q", ("a",), ("b",), "hep-go", "1"),))
>>> path = pathlib.Path(tempfile.mkdtemp()) / "scores.jsonl"
>>> _ = path.write_text(json.dumps({"id": 1, "scores_chosen": [2.5], "scores_rejected": [None]}) + "\\n")
>>> read_scores(path, data)[0].rejected
(None,)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from patarm._stream import numbered_jsonl
from patarm.data import read_rows
from patarm.errors import InputError
from patarm.eval._rows import BenchmarkData, BenchmarkRow, RowScores, Score, check_score

__all__ = ["read_scores", "row_scores"]


def row_scores(row: BenchmarkRow, chosen: tuple[Score, ...], rejected: tuple[Score, ...]) -> RowScores:
    """Scores for ``row``, carrying what the scorers need from it (id, subset, domain)."""
    return RowScores(row.id, chosen, rejected, subset=row.subset, domain=row.part or row.domain)


def _entries(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        for index, entry in enumerate(read_rows(path)):
            yield f"{path.name} entry {index}", entry
        return
    for number, entry in numbered_jsonl(path):
        yield f"{path.name} line {number}", entry


def _scores(entry: dict[str, Any], field: str, count: int, where: str) -> tuple[Score, ...]:
    value = entry.get(field)
    if not isinstance(value, list) or len(value) != count:
        raise InputError(
            f"{where}: field {field!r}: expected a list of {count} number(s) or null, one per response, "
            f"got {value!r:.80}"
        )
    return tuple(check_score(v, f"{where}: field {field!r}[{i}]") for i, v in enumerate(value))


def _matches(row: BenchmarkRow, entry: dict[str, Any]) -> bool:
    domain, subset = entry.get("domain"), entry.get("subset")
    if domain is not None and str(domain).lower() not in (row.domain, row.part):
        return False
    return subset is None or str(subset).lower() == row.subset.lower()


def read_scores(path: str | Path, data: BenchmarkData) -> list[RowScores]:
    """Scores for every row of ``data``, in its order, read from ``path`` (JSONL, JSON or Parquet).

    Lines for rows the loader skipped as malformed (``data.skipped``) are ignored."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such scores file")
    by_id: dict[str, list[int]] = {}
    for index, row in enumerate(data.rows):
        by_id.setdefault(row.id, []).append(index)
    found: dict[int, RowScores] = {}
    skipped_ids = {s.id for s in data.skipped if s.id is not None}
    for where, entry in _entries(source):
        raw_id = entry.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise InputError(f"{where}: field 'id': expected the id of a benchmark row, got {raw_id!r}")
        candidates = [i for i in by_id.get(str(raw_id), []) if _matches(data.rows[i], entry)]
        if not candidates and str(raw_id) in skipped_ids:
            continue
        if not candidates:
            raise InputError(
                f"{where}: id {str(raw_id)!r} is not a row of the benchmark data (scores file id mismatch)"
            )
        if len(candidates) > 1:
            keys = ", ".join(data.rows[i].key for i in candidates)
            raise InputError(f"{where}: id {str(raw_id)!r} matches several rows ({keys}); add 'domain' or 'subset'")
        index = candidates[0]
        if index in found:
            raise InputError(f"{where}: a second line for row {data.rows[index].key!r}")
        row = data.rows[index]
        chosen = _scores(entry, "scores_chosen", len(row.chosen), where)
        rejected = _scores(entry, "scores_rejected", len(row.rejected), where)
        found[index] = row_scores(row, chosen, rejected)
    missing = [data.rows[i].key for i in range(len(data.rows)) if i not in found]
    if missing:
        shown = ", ".join(repr(k) for k in missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise InputError(
            f"{source}: no scores for {len(missing)} of {len(data.rows)} rows (scores file id mismatch): {shown}"
        )
    return [found[i] for i in range(len(data.rows))]
