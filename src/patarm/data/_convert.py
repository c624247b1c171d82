"""Pair files in, pair files out: ``convert`` (normalised pairs with their domains) and
``add-noise`` (seeded label flips, or their undoing). Outputs are written atomically and may
not be the input file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadReport
from patarm.data._noise import apply_flips, flip_indices
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.store import check_distinct
from patarm.types import PreferencePair

__all__ = ["NoiseResult", "convert_pairs", "jsonl_output", "noise_pairs", "pair_record"]


def pair_record(pair: PreferencePair, domain: str | None, source: str | None) -> dict[str, Any]:
    """A pair as a JSON row, with its domain and where the domain came from."""
    row: dict[str, Any] = pair.model_dump(mode="json")
    row["domain"], row["domain_source"] = domain, source
    return row


def jsonl_output(path: str | Path) -> None:
    """Pair files are JSON lines: refuse another suffix before any work is done."""
    if Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        raise ValueError(f"{path}: pair files are written as JSON lines; name the output .jsonl")


def convert_pairs(source: PairSource, output: str | Path, labeler: DomainLabeler, report: LoadReport) -> int:
    """Write ``source``'s pairs to ``output`` (JSONL) with their domains; returns the count.
    ``labeler.counts`` then holds the domains and their sources."""
    jsonl_output(output)
    check_distinct({"input": source.path}, {"output": output})

    def rows() -> Iterator[dict[str, Any]]:
        for item in source.iter(report):
            yield pair_record(item.pair, *labeler.label(item.pair))

    return write_rows(output, rows())


@dataclass(frozen=True)
class NoiseResult:
    """Pairs written and pairs swapped (flipped, or restored by ``undo``)."""

    total: int
    changed: int


def noise_pairs(
    source: PairSource, output: str | Path, *, flip: float, seed: int, undo: bool, report: LoadReport
) -> NoiseResult:
    """Flip exactly ``round(flip x n)`` pairs chosen by ``seed`` (field ``flipped`` records
    which), or with ``undo`` swap back the pairs marked flipped. The input is read twice: once
    to count the pairs (the flips depend on n), once to write."""
    jsonl_output(output)
    check_distinct({"input": source.path}, {"output": output})
    flips = None if undo else set(flip_indices(sum(1 for _ in source.iter(LoadReport())), flip, seed))
    changed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal changed
        for position, item in enumerate(source.iter(report)):
            swap = item.row.get("flipped") is True if flips is None else position in flips
            pair = apply_flips([item.pair], [item.pair.pair_id])[0] if swap else item.pair
            changed += swap
            row = pair_record(pair, pair.domain, item.row.get("domain_source"))
            row["flipped"] = swap and flips is not None
            yield row

    total = write_rows(output, rows())
    return NoiseResult(total, changed)
