"""Pair files in, pair files out: ``convert`` (normalised pairs with their domains) and
``add-noise`` (seeded label flips, or their undoing). Outputs are written atomically and may
not be the input file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patarm._stream import jsonl_output
from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadReport
from patarm.data._noise import apply_flips, flip_indices, noise_rounds, record_rounds
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.store import check_distinct
from patarm.types import PreferencePair, RowError

__all__ = ["NoiseResult", "convert_pairs", "noise_pairs", "pair_record"]


def pair_record(
    pair: PreferencePair, domain: str | None, source: str | None, *, with_reference: bool = False
) -> dict[str, Any]:
    """A pair as a JSON row, with its domain and where the domain came from. Its ``reference``
    field is written when the pair has one or ``with_reference`` (references were read: then
    null in a row without one, so the file reads back with ``--reference-col reference``);
    otherwise the row is as it was before pairs had references."""
    keep = with_reference or pair.reference is not None
    row: dict[str, Any] = pair.model_dump(mode="json", exclude=None if keep else {"reference"})
    row["domain"], row["domain_source"] = domain, source
    return row


def convert_pairs(source: PairSource, output: str | Path, labeler: DomainLabeler, report: LoadReport) -> int:
    """Write ``source``'s pairs to ``output`` (JSONL) with their domains; returns the count.
    ``labeler.counts`` then holds the domains and their sources."""
    jsonl_output(output)
    check_distinct({"input": source.path}, {"output": output})
    referenced = source.columns.reference is not None

    def rows() -> Iterator[dict[str, Any]]:
        for item in source.iter(report):
            yield pair_record(item.pair, *labeler.label(item.pair), with_reference=referenced)

    return write_rows(output, rows())


@dataclass(frozen=True)
class NoiseResult:
    """Pairs written, pairs swapped (flipped, or restored by ``undo``), and the noise round the
    output ends at (rows record their rounds in ``flip_rounds``: see :func:`noise_rounds`)."""

    total: int
    changed: int
    rounds: int


_NOISED = "a pair without label noise: this data is noised already (pass --stack to add a round, --undo to remove one)"
_NOT_NOISED = "a noised pair (add-noise records 'flip_rounds' on every row): nothing to undo"


def noise_pairs(
    source: PairSource,
    output: str | Path,
    *,
    flip: float,
    seed: int,
    undo: bool,
    report: LoadReport,
    stack: bool = False,
) -> NoiseResult:
    """Add one round of label noise: flip exactly ``round(flip x n)`` pairs chosen by ``seed``;
    or with ``undo`` peel the last round off. Every row records its rounds (``flip_rounds``;
    ``flipped``: whether its labels now differ from the original), so rounds compose and undo
    one at a time. Noised data takes another round only with ``stack`` (an error otherwise:
    nothing is silently re-noised). The input is read twice: once to count the pairs (the flips
    depend on n) and check them, once to write."""
    jsonl_output(output)
    check_distinct({"input": source.path}, {"output": output})
    flips: set[int] = set()
    if not undo:
        count = 0
        for item in source.iter(LoadReport()):
            if noise_rounds(item.row, item.index) and not stack:
                raise RowError(item.index, "flip_rounds", _NOISED, item.row.get("flip_rounds", item.row.get("flipped")))
            count += 1
        flips = set(flip_indices(count, flip, seed))
    changed = rounds_before = 0
    referenced = source.columns.reference is not None

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal changed, rounds_before
        for position, item in enumerate(source.iter(report)):
            rounds = noise_rounds(item.row, item.index)
            rounds_before = max(rounds_before, len(rounds))
            if undo:
                if not rounds:
                    raise RowError(item.index, "flip_rounds", _NOT_NOISED, None)
                swap = rounds.pop()
            else:
                swap = position in flips
                rounds.append(swap)
            pair = apply_flips([item.pair], [item.pair.pair_id])[0] if swap else item.pair
            changed += swap
            row = pair_record(pair, pair.domain, item.row.get("domain_source"), with_reference=referenced)
            record_rounds(row, rounds)
            yield row

    total = write_rows(output, rows())
    return NoiseResult(total, changed, rounds_before - 1 if undo else rounds_before + 1)
