"""Where a command's pairs come from: a file or saved dataset, its columns, a row limit,
whether malformed rows stop the run or are counted and skipped, and the sources left out
(counted per name in the report).

>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "pairs.jsonl"
>>> _ = path.write_text(json.dumps({"prompt": "2+2?", "chosen": "4", "rejected": "5"}) + "\\n")
>>> report = LoadReport()
>>> [item.pair.chosen for item in PairSource(path).iter(report)], report.kept
(['4'], 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from patarm._stream import iter_rows
from patarm.data._loaders import LoadedPair, LoadReport, PairColumns, iter_loaded

__all__ = ["PairSource"]


@dataclass(frozen=True)
class PairSource:
    """A pair file (JSONL, JSON, CSV, Parquet, or a ``datasets`` folder) and how to read it."""

    path: str | Path
    columns: PairColumns = field(default_factory=PairColumns)
    split: str | None = None
    limit: int | None = None
    skip_malformed: bool = False
    exclude_sources: tuple[str, ...] = ()

    def iter(self, report: LoadReport) -> Iterator[LoadedPair]:
        """The loaded pairs, lazily; malformed rows are counted in ``report`` when skipped, rows
        of an excluded source always (``report.excluded``, per source name)."""
        rows = iter_rows(self.path, split=self.split, skip_unreadable=self.skip_malformed)
        if self.limit is not None:
            rows = islice(rows, self.limit)
        return iter_loaded(
            rows, self.columns, skip=self.skip_malformed, report=report, exclude_sources=self.exclude_sources
        )
