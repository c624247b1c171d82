"""The one judging loop behind every command that judges (``patarm judge``, ``eval``, ``audit``,
``data build-sft``): items in, results out, chunked, resumable, counted.

- **keyed by what was judged**: a record's key is a digest of the item (prompt, responses,
  domain, mode) and of the store's settings, never its row position or id, so a resumed run
  reuses a judgment only for the same content. Reordered rows find their own judgments; an
  edited row is judged again; an id that comes back with other content is counted and warned
  about (:attr:`JudgeCounts.changed`).
- **nothing written before the judge works**: a store that does not exist yet is created only
  when the first chunk has been judged, so a failed start (a bad model name, a server that
  refuses) leaves no file and the corrected command is not refused.
- **chunks of any size**: each prompt's samples are seeded from the judge's seed and the prompt
  (:func:`~patarm.backends.sample_seed`), so the chunk size may change between runs.
- **one record shape**: ``{"id": key, "name": caller's id or None, "mode", "result"}``, where
  ``result`` is the judge's result as JSON.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> judge = PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>"))
>>> run = judge_items(judge, [PointwiseItem("2+2?", "4"), PointwiseItem("2+2?", "5")])
>>> [r.score for r in run.results], run.counts.judged, run.counts.reused
([7.0, 7.0], 2, 0)
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

from patarm.errors import ConfigError
from patarm.judges._pairwise import PairwiseItem
from patarm.judges._pointwise import PointwiseItem
from patarm.judges._protocol import Judge
from patarm.judges._results import PairwiseResult, PointwiseResult
from patarm.store import JsonlStore

__all__ = ["JUDGMENT_STORE_KIND", "JudgeCounts", "JudgedItems", "judge_items", "judgment_key", "stream_judgments"]

JUDGMENT_STORE_KIND = "judgments"
_I = TypeVar("_I", PointwiseItem, PairwiseItem)
_R = TypeVar("_R", PointwiseResult, PairwiseResult)
_SHOWN_IDS = 5  # ids named in a warning; the count says how many there were


@dataclass
class JudgeCounts:
    """What a run took: items judged now, reused from the store, failed (no score, judged now
    or reused), ids judged before with other content (``changed``, first few in
    ``changed_ids``), and records of the store cut short by an interruption (``torn``)."""

    judged: int = 0
    reused: int = 0
    failed: int = 0
    changed: int = 0
    torn: int = 0
    changed_ids: list[str] = field(default_factory=list)


@dataclass
class JudgedItems(Generic[_R]):
    """The results of :func:`judge_items`, in input order, their keys and the counts."""

    results: list[_R]
    keys: list[str]
    counts: JudgeCounts


def judgment_key(mode: str, item: PointwiseItem | PairwiseItem, settings: Mapping[str, Any]) -> str:
    """The key of ``item``'s judgment: a digest of what the judge sees and of ``settings``."""
    blob = json.dumps([mode, asdict(item), dict(settings)], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _result_type(judge: Judge[Any, Any]) -> type[PointwiseResult] | type[PairwiseResult]:
    if judge.mode not in ("pointwise", "pairwise"):
        raise ConfigError(f"a judge's mode is 'pointwise' or 'pairwise', not {judge.mode!r}")
    return PointwiseResult if judge.mode == "pointwise" else PairwiseResult


class _Book:
    """The store, opened at once when its file exists and created only when first written."""

    def __init__(self, path: str | Path | None, settings: Mapping[str, Any]) -> None:
        self.path, self.settings = path, settings
        self.store: JsonlStore | None = None
        self.pending: dict[str, dict[str, Any]] = {}
        if path is None or (Path(path).exists() and Path(path).stat().st_size > 0):
            self.store = JsonlStore(path, JUDGMENT_STORE_KIND, settings)

    def __contains__(self, key: str) -> bool:
        return key in self.pending or (self.store is not None and key in self.store)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.pending.get(key) or (self.store.get(key) if self.store is not None else None)

    def put_all(self, records: Iterable[dict[str, Any]]) -> None:
        if self.store is None:
            self.store = JsonlStore(self.path, JUDGMENT_STORE_KIND, self.settings)
        for record in records:
            self.store.put(record)

    def names(self) -> dict[str, str]:
        """The key last judged under each caller's id (read once, when ids are given)."""
        out: dict[str, str] = {}
        for record in self.store or ():
            if record.get("name") is not None:
                out[str(record["name"])] = str(record["id"])
        return out

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def stream_judgments(
    judge: Judge[_I, _R],
    items: Iterable[tuple[str | None, _I]],
    *,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    ignore: Iterable[str] = (),
    chunk: int = 32,
    progress: bool | str = False,
    total: int | None = None,
    counts: JudgeCounts | None = None,
) -> Iterator[tuple[str, _R]]:
    """Judge ``(id, item)`` pairs lazily, ``chunk`` at a time, yielding ``(key, result)`` in
    input order; see :func:`judge_items` for the arguments. ``counts`` is updated as it goes."""
    if chunk < 1:
        raise ConfigError(f"chunk: expected at least 1, got {chunk}")
    counts = counts if counts is not None else JudgeCounts()
    result_type = _result_type(judge)
    shaping = {name: value for name, value in judge.settings().items() if name not in set(ignore)}
    header = {"judge": shaping, **dict(settings or {})}
    book = _Book(store, header)
    counts.torn = book.store.torn if book.store is not None else 0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        desc = progress if isinstance(progress, str) else f"judging ({judge.mode})"
        bar = tqdm(total=total, desc=desc, unit="item")
    last_key: dict[str, str] | None = None
    stream = iter(items)
    try:
        while part := list(islice(stream, chunk)):
            keys = [judgment_key(judge.mode, item, header) for _, item in part]
            if last_key is None and any(name is not None for name, _ in part):
                last_key = book.names()
            for (name, _), key in zip(part, keys, strict=True):
                if name is not None and last_key is not None and last_key.get(name, key) != key:
                    counts.changed += 1
                    if len(counts.changed_ids) < _SHOWN_IDS:
                        counts.changed_ids.append(name)
            todo: dict[str, tuple[str | None, _I]] = {}
            for (name, item), key in zip(part, keys, strict=True):
                if key not in book and key not in todo:
                    todo[key] = (name, item)
            if todo:
                results = judge.judge_many([item for _, item in todo.values()])
                book.put_all(
                    {"id": key, "name": name, "mode": judge.mode, "result": result.model_dump(mode="json")}
                    for (key, (name, _)), result in zip(todo.items(), results, strict=True)
                )
            counts.judged += len(todo)
            counts.reused += len(part) - len(todo)
            for key in keys:
                record = book.get(key)
                assert record is not None
                result: _R = result_type.model_validate(record["result"])  # type: ignore[assignment]
                counts.failed += result.failed
                yield key, result
            if bar is not None:
                bar.update(len(part))
    finally:
        book.close()
        if bar is not None:
            bar.close()
    if counts.changed:
        shown = ", ".join(counts.changed_ids) + (", ..." if counts.changed > len(counts.changed_ids) else "")
        warnings.warn(
            f"{counts.changed} id(s) were judged before with other content ({shown}): judged again, "
            "the earlier judgment is kept only for the earlier content",
            UserWarning,
            stacklevel=2,
        )


def judge_items(
    judge: Judge[_I, _R],
    items: Sequence[_I],
    *,
    ids: Sequence[str] | None = None,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    ignore: Iterable[str] = (),
    chunk: int = 32,
    progress: bool | str = False,
) -> JudgedItems[_R]:
    """Judge every item with ``judge``, resumably: results in input order, and the counts.

    Args:
        judge: a pointwise or pairwise :class:`Judge` (its seed goes to the backend as is).
        items: :class:`PointwiseItem` or :class:`PairwiseItem`, as the judge takes.
        ids: the caller's names for the items (row ids): an id judged before with other
            content is counted (``counts.changed``) and warned about. Optional.
        store: a JSONL file of judgments (a :class:`~patarm.store.JsonlStore` of kind
            ``"judgments"``); a rerun reuses the judgments of the same content. Created only
            once the first chunk is judged. None: nothing kept.
        settings: what else shapes the judgments (model, benchmark, rubric folders); a store
            made with other settings (or another judge's) is refused, naming each difference.
        ignore: judge settings a caller recomputes from the stored samples (``voting``), so
            changing them reuses the store.
        chunk: items judged and stored per step; may change between runs.
        progress: show a tqdm bar (a string: its label).
    """
    if ids is not None and len(ids) != len(items):
        raise ConfigError(f"ids: expected one per item ({len(items)}), got {len(ids)}")
    counts = JudgeCounts()
    named = zip(ids if ids is not None else [None] * len(items), items, strict=True)
    options: dict[str, Any] = {"store": store, "settings": settings, "ignore": ignore, "chunk": chunk}
    pairs = list(stream_judgments(judge, named, progress=progress, total=len(items), counts=counts, **options))
    return JudgedItems([r for _, r in pairs], [k for k, _ in pairs], counts)
