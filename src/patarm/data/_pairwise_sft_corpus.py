"""``build-sft --mode pairwise`` as a library call: a teacher pairwise judge scores both
responses of each pair in both orders, :class:`~patarm.data.PairwiseSFTFilter` keeps the pairs
whose teacher preference agrees with the label by more than the margin, and their rows (one
per order) go to a file.

The teacher judges through :func:`patarm.judges.stream_judgments`, the loop every command that
judges shares: judgments are kept in a store as they come, keyed by what was judged, so an
interrupted run resumes, an edited pair is judged again, and a changed teacher is refused.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadedPair, LoadReport
from patarm.data._pairwise_sft import PairwiseSFTFilter, pairwise_sft_rows
from patarm.data._sft import SFTReport
from patarm.data._sft_corpus import SFTBuild, finish_build
from patarm.data._source import PairSource
from patarm.errors import ConfigError
from patarm.judges import JudgeCounts, PairwiseItem, PairwiseJudge, stream_judgments
from patarm.store import check_distinct

__all__ = ["build_pairwise_sft"]


def build_pairwise_sft(
    source: PairSource,
    output: str | Path,
    *,
    judge: PairwiseJudge,
    teacher_cache: str | Path,
    settings: Mapping[str, Any],
    labeler: DomainLabeler,
    report: LoadReport,
    sft: SFTReport,
    keep: PairwiseSFTFilter,
    histogram: str | Path | None = None,
    domain: str | None = None,
    chunk_pairs: int = 16,
    conversational: bool = True,
    progress: Callable[[int], object] | None = None,
) -> SFTBuild:
    """Write the pairwise SFT corpus of ``source`` to ``output`` (and the margin histogram to
    ``histogram``); arguments as for :func:`patarm.data.build_sft`. ``judge`` must judge both
    orders (each order becomes a row, so the chosen response is shown first as often as
    second); ``sft`` is best a :class:`~patarm.data.PairwiseSFTReport`."""
    if not judge.config.both_orders:
        raise ConfigError(
            "the pairwise SFT corpus is judged in both orders (one row per order, so the chosen response is "
            "shown first as often as second): judge with both_orders=True (no --one-order)"
        )
    check_distinct({"input": source.path}, {"output": output, "teacher cache": teacher_cache, "histogram": histogram})
    build = SFTBuild()
    counts = JudgeCounts()
    pending: deque[tuple[LoadedPair, str]] = deque()

    def named() -> Iterator[tuple[str, PairwiseItem]]:
        for item in source.iter(report):
            pair_domain = domain or labeler.label(item.pair)[0]
            pending.append((item, pair_domain))
            yield (
                item.pair.pair_id,
                PairwiseItem(item.pair.prompt, item.pair.chosen, item.pair.rejected, pair_domain, item.pair.reference),
            )

    def rows() -> Iterator[dict[str, Any]]:
        judged = stream_judgments(
            judge, named(), store=teacher_cache, settings=settings, chunk=max(1, chunk_pairs), counts=counts
        )
        for _, result in judged:
            item, pair_domain = pending.popleft()
            margin, reason = keep.verdict(result)
            sft.add(margin, reason)
            if reason is None:
                yield from pairwise_sft_rows(
                    item.pair, pair_domain, result, judge.prompts, conversational=conversational
                )
            if progress is not None:
                progress(1)

    return finish_build(build, output, rows(), counts, sft=sft, histogram=histogram, threshold=keep.threshold)
