"""The pairs an audit judges: a user's preference pairs or a benchmark's rows, and the seeded
sample ``--quick`` takes.

A benchmark row with several responses per side gives one pair per index on the diagonal
(RM-Bench: the chosen and rejected response of the same style, 3 per row; RewardBench 2:
the chosen response against each rejected one); RM-Bench rows are kept whole as well, for
its hard/normal/easy split.

>>> pairs = pairs_from_records([{"prompt": "2+2?", "chosen": "4", "rejected": "5"}])
>>> pairs[0].chosen, pairs[0].domain
('4', None)
>>> len(quick_sample(pairs * 3, 2, seed=0))
2
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patarm.errors import InputError

__all__ = ["AuditData", "AuditPair", "load_audit_data", "pairs_from_records", "quick_sample"]


@dataclass(frozen=True)
class AuditPair:
    """One prompt with its chosen and rejected response; ``row`` names the benchmark row it
    came from (RM-Bench), ``domain`` None means let the judge route it; ``reference``: a
    reference answer shown to the judge with every response judged for this pair (the
    rewrites of its responses included), None for none."""

    key: str
    prompt: str | list[dict[str, str]]
    chosen: str
    rejected: str
    domain: str | None = None
    row: str | None = None
    reference: str | None = None


@dataclass
class AuditData:
    """Pairs to audit, where they came from, and what was left out."""

    pairs: list[AuditPair]
    source: str
    benchmark: str | None = None
    rmbench_rows: list[Any] = field(default_factory=list)
    rows_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def pairs_from_records(records: Sequence[Mapping[str, Any]]) -> list[AuditPair]:
    """Pairs from preference records (``prompt``, ``chosen``, ``rejected``, optional
    ``pair_id``/``id`` and ``domain``); a malformed record raises naming its row and field."""
    from patarm.data import load_pairs

    return [_audit_pair(pair) for pair in load_pairs(records)]


def _audit_pair(pair: Any) -> AuditPair:
    prompt: Any = pair.prompt if isinstance(pair.prompt, str) else [dict(m) for m in pair.prompt]
    return AuditPair(pair.pair_id, prompt, pair.chosen, pair.rejected, pair.domain, reference=pair.reference)


def _benchmark_pairs(benchmark: str, rows: Sequence[Any]) -> list[AuditPair]:
    from patarm.eval import judge_domain

    out = []
    for row in rows:
        domain = judge_domain(benchmark, row)  # type: ignore[arg-type]
        if len(row.chosen) == len(row.rejected):
            sides = [(i, row.chosen[i], row.rejected[i]) for i in range(len(row.chosen))]
        else:
            sides = [(j, row.chosen[0], rejected) for j, rejected in enumerate(row.rejected)]
        for index, chosen, rejected in sides:
            key = row.key if len(sides) == 1 else f"{row.key}/{index}"
            out.append(AuditPair(key, row.prompt, chosen, rejected, domain, row=row.key, reference=row.reference))
    return out


def load_audit_data(
    path: str | Path,
    *,
    benchmark: str | None = None,
    skip_malformed: bool = False,
    reference_col: str | None = None,
) -> AuditData:
    """Read pairs from a preference file (JSONL, JSON, Parquet, a saved dataset) or, with
    ``benchmark``, from a RewardBench / RewardBench 2 / RM-Bench file; ``reference_col`` names
    the column of each row's reference answer (a row without it is an error; null: none).
    ``skip_malformed``: count a malformed row in ``skipped`` instead of raising.

    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pairs.jsonl"
    >>> _ = path.write_text(json.dumps({"prompt": "2+2?", "chosen": "4", "rejected": "5"}) + "\\n")
    >>> data = load_audit_data(path)
    >>> [(p.chosen, p.rejected) for p in data.pairs], data.rows_read
    ([('4', '5')], 1)
    """
    if benchmark is not None:
        from patarm.eval import load_benchmark

        data = load_benchmark(benchmark, [path], skip_malformed=skip_malformed, reference_col=reference_col)
        skipped: dict[str, int] = {}
        for s in data.skipped:
            skipped[s.reason] = skipped.get(s.reason, 0) + 1
        return AuditData(
            _benchmark_pairs(benchmark, data.rows),
            str(path),
            benchmark,
            list(data.rows) if benchmark == "rmbench" else [],
            len(data.rows) + len(data.skipped),
            skipped,
        )
    from patarm.data import LoadReport, PairColumns, iter_loaded, read_rows

    report = LoadReport()
    columns = PairColumns(reference=reference_col)
    try:
        loaded = iter_loaded(read_rows(path), columns, skip=skip_malformed, report=report)
        pairs = [_audit_pair(item.pair) for item in loaded]
    except ValueError as exc:
        raise InputError(_named(path, exc)) from None
    return AuditData(pairs, str(path), rows_read=report.rows, skipped=dict(report.skipped))


def _named(path: str | Path, exc: ValueError) -> str:
    """``exc``'s message naming ``path`` once, with a row's line in the file where it has one
    (a read error names the file already; a row error names only the row's index)."""
    from patarm._stream import row_location
    from patarm.types import RowError

    message = str(exc)
    if message.startswith(f"{path} ") or message.startswith(f"{path}:"):
        return message
    if isinstance(exc, RowError) and isinstance(exc.row, int):
        prefix = f"row {exc.row}"
        place = row_location(path, exc.row)
        if place is not None and message.startswith(prefix):
            return f"{path} {place}{message[len(prefix) :]}"
    return f"{path}: {message}"


def quick_sample(pairs: Sequence[AuditPair], size: int, *, seed: int) -> list[AuditPair]:
    """``size`` pairs drawn without replacement (seeded), in their original order; all if fewer."""
    if size >= len(pairs):
        return list(pairs)
    keep = sorted(random.Random(f"audit-quick/{seed}").sample(range(len(pairs)), size))
    return [pairs[i] for i in keep]
