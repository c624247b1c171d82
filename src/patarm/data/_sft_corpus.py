"""``build-sft`` as a library call: a teacher judge scores both sides of each pair, the margin
filter keeps the clear ones, and their SFT rows go to a file.

The teacher's judgments are kept in a :class:`~patarm.store.JsonlStore` as they come (its
settings header refuses a changed teacher), so an interrupted run resumes and judges only
the pairs not there yet; the corpus and the margin histogram are written atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadedPair, LoadReport
from patarm.data._sft import SFTFilter, SFTReport, margin_histogram, sft_pair_rows
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.judges import PointwiseItem, PointwiseJudge, PointwiseResult
from patarm.store import JsonlStore, check_distinct

__all__ = ["SFTBuild", "TEACHER_STORE_KIND", "build_sft", "teacher_judgments"]

TEACHER_STORE_KIND = "build-sft-teacher"


@dataclass
class SFTBuild:
    """What a build did: rows written, pairs judged now and read from the store, records of
    the store cut short by an interruption (dropped, redone), the histogram written (None,
    with ``note`` saying why, when it could not be)."""

    rows: int = 0
    judged_now: int = 0
    from_cache: int = 0
    torn_cache_lines: int = 0
    histogram: Path | None = None
    note: str | None = None


def teacher_judgments(
    loaded: Iterator[LoadedPair],
    judge: PointwiseJudge,
    store: JsonlStore,
    domain_of: Any,
    build: SFTBuild,
    chunk_pairs: int = 16,
) -> Iterator[tuple[LoadedPair, str, PointwiseResult, PointwiseResult]]:
    """(pair, domain, chosen judgment, rejected judgment) for each pair, judging in chunks only
    the pairs not in ``store`` and appending their judgments to it."""
    while chunk := list(islice(loaded, max(1, chunk_pairs))):
        domains = [domain_of(item.pair) for item in chunk]
        todo = [k for k, item in enumerate(chunk) if item.pair.pair_id not in store]
        items = [
            PointwiseItem(chunk[k].pair.prompt, chunk[k].pair.response(role), domains[k])
            for k in todo
            for role in ("chosen", "rejected")
        ]
        results = iter(judge.judge_many(items)) if items else iter(())
        for k in todo:
            chosen, rejected = next(results), next(results)
            fresh: dict[str, Any] = {"id": chunk[k].pair.pair_id, "chosen": chosen.model_dump(mode="json")}
            fresh["rejected"] = rejected.model_dump(mode="json")
            store.put(fresh)
        build.judged_now += len(todo)
        build.from_cache += len(chunk) - len(todo)
        for item, domain in zip(chunk, domains, strict=True):
            record = store.get(item.pair.pair_id)
            assert record is not None
            yield item, domain, PointwiseResult(**record["chosen"]), PointwiseResult(**record["rejected"])


def build_sft(
    source: PairSource,
    output: str | Path,
    *,
    judge: PointwiseJudge,
    teacher_cache: str | Path,
    settings: Mapping[str, Any],
    labeler: DomainLabeler,
    report: LoadReport,
    sft: SFTReport,
    keep: SFTFilter,
    histogram: str | Path | None = None,
    domain: str | None = None,
    chunk_pairs: int = 16,
    conversational: bool = True,
    progress: Callable[[int], object] | None = None,
) -> SFTBuild:
    """Write the SFT corpus of ``source`` to ``output`` and the margin histogram to
    ``histogram``; ``domain`` overrides every pair's domain; ``progress(1)`` is called per pair.

    The teacher's judgments go to the store at ``teacher_cache`` (kind
    :data:`TEACHER_STORE_KIND`), whose header holds ``settings``: a cache written by a teacher
    with other settings is refused, naming what changed."""
    check_distinct({"input": source.path}, {"output": output, "teacher cache": teacher_cache, "histogram": histogram})
    store = JsonlStore(teacher_cache, TEACHER_STORE_KIND, settings)
    build = SFTBuild(torn_cache_lines=store.torn)

    def domain_of(pair: Any) -> str:
        return domain or labeler.label(pair)[0]

    def rows() -> Iterator[dict[str, Any]]:
        for item, pair_domain, chosen, rejected in teacher_judgments(
            source.iter(report), judge, store, domain_of, build, chunk_pairs
        ):
            margin, reason = keep.verdict(chosen, rejected)
            sft.add(margin, reason)
            if reason is None:
                yield from sft_pair_rows(
                    item.pair, pair_domain, chosen, rejected, judge.prompts, conversational=conversational
                )
            if progress is not None:
                progress(1)

    with store:
        build.rows = write_rows(output, rows())
    if histogram is not None:
        try:
            build.histogram = margin_histogram(sft.margins, histogram, threshold=keep.threshold)
        except ImportError as exc:  # matplotlib missing: the corpus is written, the picture is not
            build.note = f"no margin histogram: {exc}"
    return build
