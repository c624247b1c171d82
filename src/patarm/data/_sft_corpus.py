"""``build-sft`` as a library call: a teacher judge scores both sides of each pair, the margin
filter keeps the clear ones, and their SFT rows go to a file.

The teacher judges through :func:`patarm.judges.stream_judgments`, the loop every command that
judges shares: its judgments are kept in a :class:`~patarm.store.JsonlStore` as they come,
keyed by what was judged (its settings header refuses a changed teacher), so an interrupted run
resumes and judges only the responses not there yet, and an edited pair is judged again; the
corpus and the margin histogram are written atomically.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadedPair, LoadReport
from patarm.data._sft import SFTFilter, SFTReport, margin_histogram, sft_pair_rows
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.judges import JudgeCounts, PointwiseItem, PointwiseJudge, PointwiseResult, stream_judgments
from patarm.store import check_distinct

__all__ = ["SFTBuild", "build_sft", "teacher_judgments"]


@dataclass
class SFTBuild:
    """What a build did: rows written, teacher judgments (one per response) made now and
    reused from the store, failed ones, pair ids judged before with other content, records of
    the store cut short by an interruption (dropped, redone), the histogram written (None,
    with ``note`` saying why, when it could not be)."""

    rows: int = 0
    judged_now: int = 0
    from_cache: int = 0
    failed: int = 0
    changed: int = 0
    torn_cache_lines: int = 0
    histogram: Path | None = None
    note: str | None = None


def finish_build(
    build: SFTBuild,
    output: str | Path,
    rows: Iterable[dict[str, Any]],
    counts: JudgeCounts,
    *,
    sft: SFTReport,
    histogram: str | Path | None,
    threshold: float,
) -> SFTBuild:
    """Write ``rows`` to ``output``, copy the teacher's ``counts`` into ``build`` and draw the
    margin histogram of ``sft`` to ``histogram`` (when asked); the one ending of the pointwise
    and the pairwise SFT builds. Without matplotlib the corpus is still written and
    ``build.note`` says why there is no picture."""
    build.rows = write_rows(output, rows)
    build.judged_now, build.from_cache, build.failed = counts.judged, counts.reused, counts.failed
    build.changed, build.torn_cache_lines = counts.changed, counts.torn
    if histogram is not None:
        try:
            build.histogram = margin_histogram(sft.margins, histogram, threshold=threshold)
        except ImportError as exc:  # matplotlib missing: the corpus is written, the picture is not
            build.note = f"no margin histogram: {exc}"
    return build


def teacher_judgments(
    loaded: Iterable[LoadedPair],
    judge: PointwiseJudge,
    domain_of: Callable[[Any], str],
    counts: JudgeCounts,
    *,
    store: str | Path | None,
    settings: Mapping[str, Any],
    chunk_pairs: int = 16,
) -> Iterator[tuple[LoadedPair, str, PointwiseResult, PointwiseResult]]:
    """(pair, domain, chosen judgment, rejected judgment) for each pair, lazily, through
    :func:`patarm.judges.stream_judgments`: each response is judged once per content (an
    edited pair is judged again, whatever its id) and its judgment kept in ``store``. A pair's
    reference answer is shown to the teacher (and so is part of each judgment's key)."""
    pending: deque[tuple[LoadedPair, str]] = deque()

    def named() -> Iterator[tuple[str, PointwiseItem]]:
        for item in loaded:
            domain = domain_of(item.pair)
            pending.append((item, domain))
            for role in ("chosen", "rejected"):
                pair = item.pair
                yield f"{pair.pair_id}/{role}", PointwiseItem(pair.prompt, pair.response(role), domain, pair.reference)

    results = stream_judgments(
        judge, named(), store=store, settings=settings, chunk=2 * max(1, chunk_pairs), counts=counts
    )
    for (_, chosen), (_, rejected) in zip(results, results, strict=False):  # consecutive: one pair's two sides
        item, domain = pending.popleft()
        yield item, domain, chosen, rejected


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

    The teacher's judgments go to the store at ``teacher_cache`` (a
    :func:`patarm.judges.judge_items` store), whose header holds ``settings`` and the teacher's
    own: a cache written by a teacher with other settings is refused, naming what changed."""
    check_distinct({"input": source.path}, {"output": output, "teacher cache": teacher_cache, "histogram": histogram})
    build = SFTBuild()
    counts = JudgeCounts()

    def domain_of(pair: Any) -> str:
        return domain or labeler.label(pair)[0]

    def rows() -> Iterator[dict[str, Any]]:
        judged = teacher_judgments(
            source.iter(report),
            judge,
            domain_of,
            counts,
            store=teacher_cache,
            settings=settings,
            chunk_pairs=chunk_pairs,
        )
        for item, pair_domain, chosen, rejected in judged:
            margin, reason = keep.verdict(chosen, rejected)
            sft.add(margin, reason)
            if reason is None:
                yield from sft_pair_rows(
                    item.pair, pair_domain, chosen, rejected, judge.prompts, conversational=conversational
                )
            if progress is not None:
                progress(1)

    return finish_build(build, output, rows(), counts, sft=sft, histogram=histogram, threshold=keep.threshold)
