"""``build-rl`` as a library call: pairs -> (sampled correctness) -> RL rows -> a file.

With a :class:`RolloutSampling`, the sampler judge rolls each pair out ``samples`` times and
the share of rollouts that rank chosen strictly above rejected goes into the row; each pair's
rollouts are kept in a :class:`~patarm.store.JsonlStore` as they come, so an interrupted run
resumes and samples only the pairs not there yet.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from patarm.data._domains import DomainLabeler
from patarm.data._loaders import LoadedPair, LoadReport
from patarm.data._rl import RejectSampling, RLReport, rl_rows
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.judges import PointwiseItem, PointwiseJudge
from patarm.prompts import JudgePrompts
from patarm.store import JsonlStore, check_distinct
from patarm.types import PreferencePair

__all__ = ["ROLLOUT_STORE_KIND", "RolloutSampling", "build_rl", "sampled_correctness"]

ROLLOUT_STORE_KIND = "build-rl-rollouts"


@dataclass
class RolloutSampling:
    """The sampler judge (its config's ``samples`` is the rollouts per pair), the labeler that
    gives each side its domain, the rollout cache (a store of kind :data:`ROLLOUT_STORE_KIND`
    whose header holds ``settings``), and pairs sampled per step; after a build, how many pairs
    were sampled now and read from the cache, and whether its last record was cut short."""

    judge: PointwiseJudge
    labeler: DomainLabeler
    cache: str | Path
    settings: Mapping[str, Any]
    chunk_pairs: int = 16
    torn_cache_lines: int = 0
    sampled_now: int = 0
    from_cache: int = 0


def _rollout_key(pair: PreferencePair) -> str:
    """A pair's record in the rollout store: its id, and for a pair with a reference answer a
    digest of it too, so rollouts sampled without that reference (or with another) are not reused."""
    if pair.reference is None:
        return pair.pair_id
    return f"{pair.pair_id}#reference-{hashlib.sha256(pair.reference.encode('utf-8')).hexdigest()[:16]}"


def sampled_correctness(
    loaded: Iterable[LoadedPair], sampling: RolloutSampling, store: JsonlStore, column: str
) -> Iterator[LoadedPair]:
    """Each pair with ``row[column]`` set to its rollouts' correctness (a list of booleans).

    Rollout i is sample i of the chosen side against sample i of the rejected side; a
    malformed score makes it incorrect. Pairs already in the store are not sampled again; a
    pair's reference answer is shown to the sampler and is part of its record's key.
    """
    source = iter(loaded)
    while chunk := list(islice(source, max(1, sampling.chunk_pairs))):
        todo = [item for item in chunk if _rollout_key(item.pair) not in store]
        items = [
            PointwiseItem(
                item.pair.prompt, item.pair.response(role), sampling.labeler.label(item.pair)[0], item.pair.reference
            )
            for item in todo
            for role in ("chosen", "rejected")
        ]
        results = sampling.judge.judge_many(items) if items else []
        for k, item in enumerate(todo):
            chosen, rejected = results[2 * k], results[2 * k + 1]
            correct = [
                c.score is not None and r.score is not None and c.score > r.score
                for c, r in zip(chosen.samples, rejected.samples, strict=True)
            ]
            store.put({"id": _rollout_key(item.pair), "correct": correct})
        sampling.sampled_now += len(todo)
        sampling.from_cache += len(chunk) - len(todo)
        for item in chunk:
            record = store.get(_rollout_key(item.pair))
            assert record is not None
            item.row[column] = [bool(v) for v in record["correct"]]  # type: ignore[index]
            yield item


def build_rl(
    source: PairSource,
    output: str | Path,
    *,
    prompts: JudgePrompts,
    labeler: DomainLabeler,
    report: LoadReport,
    rl_report: RLReport,
    reject_sampling: RejectSampling | None = None,
    sampling: RolloutSampling | None = None,
    conversational: bool = True,
    progress: Callable[[Iterable[LoadedPair]], Iterable[LoadedPair]] = lambda pairs: pairs,
) -> int:
    """Write the RL corpus of ``source`` to ``output`` (Parquet or JSONL, atomically); returns
    the rows written. With ``sampling``, correctness is sampled into ``reject_sampling.column``."""
    check_distinct({"input": source.path}, {"output": output, "rollout cache": sampling and sampling.cache})
    with contextlib.ExitStack() as stack:
        loaded: Iterable[LoadedPair] = progress(source.iter(report))
        if sampling is not None:
            store = stack.enter_context(JsonlStore(sampling.cache, ROLLOUT_STORE_KIND, sampling.settings))
            sampling.torn_cache_lines = store.torn
            column = reject_sampling.column if reject_sampling is not None else "correct_fraction"
            loaded = sampled_correctness(loaded, sampling, store, column)
        rows = rl_rows(
            loaded,
            prompts=prompts,
            labeler=labeler,
            reject_sampling=reject_sampling,
            report=rl_report,
            conversational=conversational,
        )
        return write_rows(output, rows)
