"""Keep only the pairs two or more corpora share: the paper intersects its pairwise-format SFT
corpus with the pointwise one, so that both formats train on the same pairs.

A corpus row names its pair by ``pair_id`` (every row ``build-sft`` writes, in either format);
when the rows of both corpora also carry ``pair_key`` (a digest of the pair's content), a pair
id whose keys differ is not the same pair: it is left out of every output and counted
(``conflicts``). Rows keep their order; outputs are written atomically.

>>> import json, pathlib, tempfile
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> for name, ids in (("point", "abc"), ("pair", "bcd")):
...     _ = (tmp / f"{name}.jsonl").write_text("".join(json.dumps({"pair_id": i}) + "\\n" for i in ids))
>>> result = intersect_corpora([tmp / "point.jsonl", tmp / "pair.jsonl"], [tmp / "p1.jsonl", tmp / "p2.jsonl"])
>>> result.common, [(c.pairs, c.pairs_kept) for c in result.corpora]
(2, [(3, 2), (3, 2)])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patarm._stream import located_rows
from patarm.data._sink import write_rows
from patarm.errors import ConfigError, InputError
from patarm.store import check_distinct

__all__ = ["CorpusCounts", "Intersection", "intersect_corpora"]


@dataclass
class CorpusCounts:
    """One corpus before and after: its rows and distinct pairs, and what was written."""

    path: Path
    output: Path
    rows: int = 0
    pairs: int = 0
    rows_kept: int = 0
    pairs_kept: int = 0

    def line(self) -> str:
        return (
            f"{self.path}: {self.pairs} pairs ({self.rows} rows) -> {self.pairs_kept} pairs "
            f"({self.rows_kept} rows) in {self.output}"
        )


@dataclass
class Intersection:
    """The pairs common to every corpus, the pair ids left out because their content differs
    between corpora (``conflicts``, the first few in ``conflict_ids``), and per-corpus counts."""

    common: int = 0
    conflicts: int = 0
    conflict_ids: list[str] = field(default_factory=list)
    corpora: list[CorpusCounts] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"corpus {c.line()}" for c in self.corpora]
        out.append(f"pairs in every corpus: {self.common}")
        if self.conflicts:
            shown = ", ".join(self.conflict_ids) + (", ..." if self.conflicts > len(self.conflict_ids) else "")
            out.append(f"pair ids with other content in another corpus (left out): {self.conflicts} ({shown})")
        return out


def _pair_id(path: Path, where: str, row: Any) -> str:
    value = row.get("pair_id") if isinstance(row, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise InputError(
            f"{path} {where}: field 'pair_id': expected a pair id (rows of patarm data build-sft carry one), "
            f"got {value!r}"
        )
    return str(value)


def _keys(path: Path) -> dict[str, str | None]:
    """Each pair id of a corpus and its content key (None when its rows carry none)."""
    out: dict[str, str | None] = {}
    for where, row in located_rows(path):
        pair_id = _pair_id(path, where, row)
        key = row.get("pair_key")
        out[pair_id] = str(key) if key is not None else out.get(pair_id)
    return out


def intersect_corpora(inputs: Sequence[str | Path], outputs: Sequence[str | Path]) -> Intersection:
    """Write each corpus of ``inputs`` to its ``outputs`` entry keeping only the rows of pairs
    present in every input (by ``pair_id``; see the module for ``pair_key``). Each input is read
    twice (its pair ids, then its rows); only the ids are held in memory."""
    if len(inputs) < 2:
        raise ConfigError(f"an intersection needs two corpora or more, got {len(inputs)}")
    if len(outputs) != len(inputs):
        raise ConfigError(f"one output per corpus: {len(inputs)} corpora, {len(outputs)} outputs")
    paths, targets = [Path(p) for p in inputs], [Path(p) for p in outputs]
    check_distinct(
        {f"input {i + 1}": p for i, p in enumerate(paths)}, {f"output {i + 1}": p for i, p in enumerate(targets)}
    )
    result = Intersection(corpora=[CorpusCounts(p, t) for p, t in zip(paths, targets, strict=True)])
    keys = [_keys(p) for p in paths]
    common = set(keys[0]).intersection(*keys[1:])
    for pair_id in sorted(common):
        given = {k[pair_id] for k in keys if k[pair_id] is not None}
        if len(given) > 1:
            result.conflicts += 1
            if len(result.conflict_ids) < 5:
                result.conflict_ids.append(pair_id)
            common.discard(pair_id)
    result.common = len(common)
    for counts, found in zip(result.corpora, keys, strict=True):
        counts.pairs = len(found)
        counts.pairs_kept = len(common)

        def kept(counts: CorpusCounts = counts) -> Iterator[dict[str, Any]]:
            for where, row in located_rows(counts.path):
                counts.rows += 1
                if _pair_id(counts.path, where, row) in common:
                    counts.rows_kept += 1
                    yield row

        write_rows(counts.output, kept())
    return result
