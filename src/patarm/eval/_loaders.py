"""Benchmark rows from local files (JSONL, JSON, Parquet or a saved ``datasets`` folder).

The benchmarks live on the Hugging Face hub; download them once on a machine with internet
and point the loaders at the files. Every row is checked: a malformed row is an error that
names the file, the row, the field and the expected form, or, with ``skip_malformed``, it is
left out and recorded in :attr:`BenchmarkData.skipped` (reports count it).

``reference_col`` names a column holding each row's reference answer (null: none for that
row; see :func:`patarm.data.row_reference`). A row without that column is an
error even with ``skip_malformed``: a misspelt column would otherwise leave out every row.

- RewardBench: ``id``, ``prompt``, ``chosen`` and ``rejected`` strings, ``subset``.
- RewardBench 2: ``id``, ``prompt``, ``chosen`` and ``rejected`` lists of strings, ``subset``
  (Ties rows have ids ``ref:N`` / ``tied:N``; an optional ``num_correct`` must equal the
  number of chosen responses).
- RM-Bench: ``id``, ``prompt``, ``chosen`` and ``rejected`` lists of 3 strings, and ``domain``
  (``total_dataset.json``). The per-domain files carry ``subset`` instead: the domain comes
  from the file name (``chat_filtered.json``) or is given (``safety=my_file.json``).

>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "chat_filtered.json"
>>> _ = path.write_text(json.dumps([{"id": 8, "prompt": "Hi", "chosen": ["a", "b", "c"],
...                                  "rejected": ["d", "e", "f"], "subset": "alpacaeval"}]))
>>> row = load_rmbench([path]).rows[0]
>>> row.key, row.domain, row.subset
('chat/8', 'chat', 'alpacaeval')
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm._stream import UnreadableLine
from patarm.data import iter_rows, row_reference
from patarm.errors import InputError
from patarm.eval._rewardbench import PRIOR_SET_SUBSETS, REWARDBENCH_SUBSETS
from patarm.eval._rewardbench2 import REWARDBENCH2_SUBSETS, canonical_subset, ties_prompt
from patarm.eval._rmbench import rmbench_domain
from patarm.eval._rows import Benchmark, BenchmarkData, BenchmarkRow, SkippedRow
from patarm.types import RowError

__all__ = ["RMBENCH_PARTS", "load_benchmark", "load_rewardbench", "load_rewardbench2", "load_rmbench"]

RMBENCH_PARTS: tuple[str, ...] = ("chat", "code", "math", "safety-refuse", "safety-response", "safety")
"""The RM-Bench file parts; both safety parts score as the ``safety`` domain."""

PathLike = str | Path
_PART_IN_NAME = re.compile(r"^(safety-refuse|safety-response|chat|code|math|safety)(?![a-z])")
_KNOWN_V1 = (*REWARDBENCH_SUBSETS, *PRIOR_SET_SUBSETS)


def _where(index: int, source: Path) -> str:
    return f"{index} of {source.name}"


def _text(row: Mapping[str, Any], field: str, where: str) -> str:
    value = row.get(field)
    if not isinstance(value, str):
        raise RowError(where, field, "a string" + (" (the field is missing)" if field not in row else ""), value)
    return value


def _texts(row: Mapping[str, Any], field: str, where: str, count: int | None = None) -> tuple[str, ...]:
    value = row.get(field)
    expected = f"a list of {count} string{'s' * (count != 1)}" if count else "a non-empty list of strings"
    if field not in row:
        raise RowError(where, field, f"{expected} (the field is missing)", None)
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
        raise RowError(where, field, expected, value)
    if count is not None and len(value) != count:
        raise RowError(where, field, expected, value)
    return tuple(value)


def _prompt(row: Mapping[str, Any], where: str) -> str | list[dict[str, str]]:
    value = row.get("prompt")
    if isinstance(value, str):
        return value
    expected = "a string or a non-empty list of {role, content} messages"
    if isinstance(value, (list, tuple)) and value:
        messages = []
        for message in value:
            if not (isinstance(message, Mapping) and isinstance(message.get("role"), str)):
                raise RowError(where, "prompt", expected, value)
            if not isinstance(message.get("content"), str):
                raise RowError(where, "prompt", expected, value)
            messages.append({"role": message["role"], "content": message["content"]})
        return messages
    raise RowError(where, "prompt", expected + (" (the field is missing)" if "prompt" not in row else ""), value)


def _row_id(row: Mapping[str, Any], where: str) -> str:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
        raise RowError(where, "id", "a non-empty string or an integer" + ("" if "id" in row else " (missing)"), value)
    return str(value)


RowParser = Callable[[Mapping[str, Any], str, Path], BenchmarkRow]


def _load(
    benchmark: Benchmark,
    files: Sequence[tuple[Path, RowParser]],
    *,
    skip_malformed: bool,
    split: str | None,
    reference_col: str | None = None,
) -> BenchmarkData:
    rows: list[BenchmarkRow] = []
    skipped: list[SkippedRow] = []
    seen: dict[str, str] = {}
    for source, parse in files:
        for index, raw in enumerate(iter_rows(source, split=split, skip_unreadable=skip_malformed)):
            where = _where(index, source)
            if isinstance(raw, UnreadableLine):  # only with skip_malformed: counted, not raised
                skipped.append(SkippedRow(str(source), index, f"{raw.where}: {raw.problem}"))
                continue
            try:
                row = parse(raw, where, source)
                if row.key in seen:
                    raise RowError(where, "id", f"an id unique in the benchmark (also at row {seen[row.key]})", row.id)
            except RowError as exc:
                if not skip_malformed:
                    raise
                raw_id = raw.get("id")
                given = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
                skipped.append(SkippedRow(str(source), index, str(exc), given))
                continue
            if reference_col is not None:
                row = dataclasses.replace(row, reference=row_reference(raw, reference_col, where))
            seen[row.key] = where
            rows.append(row)
    return BenchmarkData(benchmark, tuple(rows), tuple(skipped), tuple(str(p) for p, _ in files))


def _parse_v1(raw: Mapping[str, Any], where: str, source: Path) -> BenchmarkRow:
    row_id = _row_id(raw, where)
    subset = raw.get("subset")
    if subset not in _KNOWN_V1:
        raise RowError(
            where, "subset", "a RewardBench subset (e.g. alpacaeval-easy, hep-go) or a prior-set subset", subset
        )
    return BenchmarkRow(
        id=row_id,
        prompt=_prompt(raw, where),
        chosen=(_text(raw, "chosen", where),),
        rejected=(_text(raw, "rejected", where),),
        subset=str(subset),
        key=row_id,
        source=str(source),
    )


def _parse_v2(raw: Mapping[str, Any], where: str, source: Path) -> BenchmarkRow:
    row_id = _row_id(raw, where)
    given = raw.get("subset")
    subset = canonical_subset(given) if isinstance(given, str) else None
    if subset is None:
        raise RowError(where, "subset", f"one of {', '.join(REWARDBENCH2_SUBSETS)}", given)
    chosen = _texts(raw, "chosen", where, None if subset == "Ties" else 1)
    rejected = _texts(raw, "rejected", where)
    if subset == "Ties":
        try:
            ties_prompt(row_id)
        except ValueError:
            raise RowError(where, "id", "'ref:N' or 'tied:N' for a Ties row", raw.get("id")) from None
    count = raw.get("num_correct")
    if count is not None and count != len(chosen):
        raise RowError(where, "num_correct", f"the number of chosen responses ({len(chosen)})", count)
    return BenchmarkRow(
        id=row_id,
        prompt=_prompt(raw, where),
        chosen=chosen,
        rejected=rejected,
        subset=subset,
        key=row_id,
        source=str(source),
    )


def _rmbench_parser(part: str | None) -> RowParser:
    def parse(raw: Mapping[str, Any], where: str, source: Path) -> BenchmarkRow:
        row_id = _row_id(raw, where)
        given = raw.get("domain")
        if given is not None:
            if not isinstance(given, str) or rmbench_domain(given) is None:
                raise RowError(where, "domain", f"one of {', '.join(RMBENCH_PARTS)}", given)
            row_part = given.strip().lower()
        elif part is not None:
            row_part = part
        else:
            raise RowError(
                where, "domain", "an RM-Bench domain: the field, a file named after it, or DOMAIN=PATH", None
            )
        subset = raw.get("subset")
        return BenchmarkRow(
            id=row_id,
            prompt=_prompt(raw, where),
            chosen=_texts(raw, "chosen", where, 3),
            rejected=_texts(raw, "rejected", where, 3),
            subset=subset if isinstance(subset, str) else row_part,
            key=f"{row_part}/{row_id}",
            domain=rmbench_domain(row_part),
            part=row_part,
            source=str(source),
        )

    return parse


def _rmbench_file(spec: PathLike, domain: str | None) -> tuple[Path, str | None]:
    text = str(spec)
    name, sep, rest = text.partition("=")
    if sep and name.strip().lower() in RMBENCH_PARTS and not Path(text).exists():
        return Path(rest), name.strip().lower()
    path = Path(spec)
    if domain is not None:
        if domain.strip().lower() not in RMBENCH_PARTS:
            raise InputError(f"domain {domain!r}: expected one of {', '.join(RMBENCH_PARTS)}")
        return path, domain.strip().lower()
    found = _PART_IN_NAME.match(path.stem.lower())
    return path, found.group(1) if found else None


def load_rewardbench(
    paths: Sequence[PathLike],
    *,
    skip_malformed: bool = False,
    split: str | None = None,
    reference_col: str | None = None,
) -> BenchmarkData:
    """RewardBench rows (the ``filtered`` split, and optionally the prior preference sets)."""
    files = [(Path(p), _parse_v1) for p in paths]
    return _load("rewardbench", files, skip_malformed=skip_malformed, split=split, reference_col=reference_col)


def load_rewardbench2(
    paths: Sequence[PathLike],
    *,
    skip_malformed: bool = False,
    split: str | None = None,
    reference_col: str | None = None,
) -> BenchmarkData:
    """RewardBench 2 rows (all 6 subsets, Ties included)."""
    files = [(Path(p), _parse_v2) for p in paths]
    return _load("rewardbench2", files, skip_malformed=skip_malformed, split=split, reference_col=reference_col)


def load_rmbench(
    paths: Sequence[PathLike],
    *,
    domain: str | None = None,
    skip_malformed: bool = False,
    split: str | None = None,
    reference_col: str | None = None,
) -> BenchmarkData:
    """RM-Bench rows from ``total_dataset.json`` and/or the per-domain files.

    A path may be written ``DOMAIN=PATH`` to name its domain; ``domain`` names it for every
    path. Otherwise rows use their ``domain`` field, then the file name (``code_filtered.json``).
    """
    files = []
    for spec in paths:
        path, part = _rmbench_file(spec, domain)
        files.append((path, _rmbench_parser(part)))
    return _load("rmbench", files, skip_malformed=skip_malformed, split=split, reference_col=reference_col)


def load_benchmark(
    benchmark: str,
    paths: Sequence[PathLike],
    *,
    skip_malformed: bool = False,
    split: str | None = None,
    domain: str | None = None,
    reference_col: str | None = None,
) -> BenchmarkData:
    """Load any of the three benchmarks by name (``rewardbench``, ``rewardbench2``, ``rmbench``);
    ``reference_col``: the column of each row's reference answer (None: no references)."""
    if not paths:
        raise InputError("no data files given")
    options: dict[str, Any] = {"skip_malformed": skip_malformed, "split": split, "reference_col": reference_col}
    if benchmark == "rewardbench":
        return load_rewardbench(paths, **options)
    if benchmark == "rewardbench2":
        return load_rewardbench2(paths, **options)
    if benchmark == "rmbench":
        return load_rmbench(paths, domain=domain, **options)
    raise InputError(f"unknown benchmark {benchmark!r}; expected rewardbench, rewardbench2 or rmbench")
