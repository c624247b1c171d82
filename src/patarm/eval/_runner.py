"""Scores for benchmark rows from a judge (pointwise or pairwise) or a built-in baseline.

A judge run caches every judgment in a :class:`~patarm.store.JsonlStore` as soon as its chunk
is judged, so an interrupted run resumes where it stopped (a cache made with other settings
is refused, naming them; a record cut short by the interruption is dropped and redone).
Responses (pointwise) or chosen-vs-rejected comparisons (pairwise) are judged in chunks; each
prompt's samples are seeded from the base seed and the prompt itself
(:func:`~patarm.backends.sample_seed`), not from its chunk, so a resumed or re-chunked run asks
for the same samples as an uninterrupted one. Cached judgments keep every sample's
score, so the voting rule and ``compare_by`` (not ``expected``) can change without re-judging.

How a comparison is decided (``compare_by``):

- ``score``: the voted scores (``voting``: mean or median of the k samples);
- ``majority``: sample s of one side against sample s of the other, majority vote over the
  k (both orders for a pairwise judge); a split vote is a tie;
- ``expected``: the expected score under the judge's score-token distribution (pointwise,
  needs log-probabilities).

>>> from patarm.eval._rows import BenchmarkData, BenchmarkRow
>>> data = BenchmarkData("rewardbench", (BenchmarkRow("1", "q", ("long answer",), ("short",), "hep-go", "1"),))
>>> baseline_scores(data, "length")[0].chosen
(11.0,)
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from patarm.eval._rewardbench import SECTIONS
from patarm.eval._rows import Benchmark, BenchmarkData, BenchmarkRow, RowScores, Score
from patarm.eval._scores_file import row_scores
from patarm.store import JsonlStore

__all__ = [
    "BASELINES",
    "CompareBy",
    "JudgeMode",
    "JudgeRun",
    "JudgeRunSettings",
    "baseline_scores",
    "judge_domain",
    "run_judge",
]

JudgeMode = Literal["pointwise", "pairwise"]
CompareBy = Literal["score", "majority", "expected"]
BASELINES: tuple[str, ...] = ("length", "random")
JUDGMENT_STORE_KIND = "eval-judgments"

_RB2_DOMAINS = {
    "Factuality": "chat",
    "Precise IF": "instruction_following",
    "Math": "math",
    "Safety": "safety",
    "Focus": "chat",
}


def judge_domain(benchmark: Benchmark, row: BenchmarkRow) -> str | None:
    """The rubric domain a judge should use for ``row`` (None: let the router decide)."""
    if benchmark == "rmbench":
        return row.domain
    if benchmark == "rewardbench2":
        return _RB2_DOMAINS.get(row.subset)
    if row.subset.startswith("llmbar"):
        return "instruction_following"
    if row.subset == "math-prm":
        return "math"
    if row.subset.startswith("hep-"):
        return "code"
    if row.subset in SECTIONS["Safety"]:
        return "safety"
    if row.subset in SECTIONS["Chat"] or row.subset == "mt-bench-hard":
        return "chat"
    return None


def baseline_scores(data: BenchmarkData, name: str, *, seed: int = 0) -> list[RowScores]:
    """Scores from a model-free baseline: ``length`` (characters in the response, to expose
    length bias) or ``random`` (uniform in [0, 1), seeded: the chance level)."""
    if name not in BASELINES:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")
    out = []
    for row in data.rows:
        scores: dict[str, list[Score]] = {"chosen": [], "rejected": []}
        for side, index, text in row.responses():
            if name == "length":
                scores[side].append(float(len(text)))
            else:
                scores[side].append(random.Random(f"{seed}/{row.key}/{side}/{index}").random())
        out.append(row_scores(row, tuple(scores["chosen"]), tuple(scores["rejected"])))
    return out


@dataclass(frozen=True)
class JudgeRunSettings:
    """How a judge run turns judgments into scores. ``chunk`` items are judged (and cached)
    per step; it does not change the samples, so it may change between resumed runs."""

    mode: JudgeMode = "pointwise"
    compare_by: CompareBy = "score"
    voting: Literal["mean", "median"] = "mean"
    seed: int | None = 0
    chunk: int = 32
    domain: str | None = None

    def __post_init__(self) -> None:
        if self.chunk < 1:
            raise ValueError(f"chunk: expected at least 1, got {self.chunk}")
        if self.mode == "pairwise" and self.compare_by == "expected":
            raise ValueError("compare_by 'expected' needs a pointwise judge (expected scores are per response)")


@dataclass
class JudgeRun:
    """The scores of a judge run and what it took: items judged now and reused from the
    cache, samples and malformed samples, and (pairwise) position agreement."""

    scores: list[RowScores]
    judged: int = 0
    cached: int = 0
    broken_cache_lines: int = 0
    samples: int = 0
    malformed_samples: int = 0
    agreements: int = 0
    orders_compared: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def position_agreement(self) -> float | None:
        """Fraction of pairwise comparisons whose two orders picked the same winner."""
        return self.agreements / self.orders_compared if self.orders_compared else None

    def info(self) -> dict[str, Any]:
        """A summary for the report's ``run`` field."""
        out = dict(self.settings)
        out.update(
            judged=self.judged,
            from_cache=self.cached,
            samples=self.samples,
            malformed_samples=self.malformed_samples,
        )
        if self.orders_compared:
            out.update(position_agreement=self.position_agreement, orders_compared=self.orders_compared)
        return out


@dataclass(frozen=True)
class _Item:
    key: str
    row: int
    row_key: str
    prompt: Any
    texts: tuple[str, ...]  # one response (pointwise) or (chosen, rejected) (pairwise)
    where: tuple[str, int, int]  # ("chosen"|"rejected", index, -1) or ("pair", i, j)
    domain: str | None


def _digest(prompt: Any, texts: Sequence[str]) -> str:
    blob = json.dumps([prompt, list(texts)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


def _items(data: BenchmarkData, mode: JudgeMode, domain: str | None) -> list[_Item]:
    items = []
    for r, row in enumerate(data.rows):
        d = domain or judge_domain(data.benchmark, row)
        if mode == "pointwise":
            for side, index, text in row.responses():
                key = f"{row.key}/{side}/{index}#{_digest(row.prompt, [text])}"
                items.append(_Item(key, r, row.key, row.prompt, (text,), (side, index, -1), d))
        else:
            for i, chosen in enumerate(row.chosen):
                for j, rejected in enumerate(row.rejected):
                    key = f"{row.key}/pair/{i}-{j}#{_digest(row.prompt, [chosen, rejected])}"
                    items.append(_Item(key, r, row.key, row.prompt, (chosen, rejected), ("pair", i, j), d))
    return items


def _pointwise_record(item: _Item, result: Any) -> dict[str, Any]:
    side, index, _ = item.where
    return {
        "id": item.key,
        "row": item.row_key,
        "side": side,
        "index": index,
        "domain": result.domain,
        "score": result.score,
        "expected_score": result.expected_score,
        "sample_scores": [s.score for s in result.samples],
        "malformed": result.malformed,
        "result": result.model_dump(mode="json"),
    }


def _pairwise_record(item: _Item, result: Any) -> dict[str, Any]:
    _, i, j = item.where
    return {
        "id": item.key,
        "row": item.row_key,
        "chosen_index": i,
        "rejected_index": j,
        "domain": result.domain,
        "score_chosen": result.score_a,
        "score_rejected": result.score_b,
        "agreement": result.agreement,
        "orders": [
            {"a_first": o.a_first, "samples": [[s.score_a, s.score_b] for s in o.samples]} for o in result.orders
        ],
        "malformed": result.malformed,
        "result": result.model_dump(mode="json"),
    }


def _judge_chunk(judge: Any, items: Sequence[_Item], mode: JudgeMode) -> list[dict[str, Any]]:
    from patarm.judges import PairwiseItem, PointwiseItem

    if mode == "pointwise":
        results = judge.judge_many([PointwiseItem(i.prompt, i.texts[0], i.domain) for i in items])
        return [_pointwise_record(i, r) for i, r in zip(items, results, strict=True)]
    results = judge.judge_many([PairwiseItem(i.prompt, i.texts[0], i.texts[1], i.domain) for i in items])
    return [_pairwise_record(i, r) for i, r in zip(items, results, strict=True)]


def run_judge(
    data: BenchmarkData,
    judge_factory: Callable[[int | None], Any],
    settings: JudgeRunSettings | None = None,
    *,
    cache: str | Path | None = None,
    fingerprint: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> JudgeRun:
    """Judge every response (or comparison) of ``data`` and return per-row scores.

    ``judge_factory(seed)`` builds the judge for one chunk (a ``PointwiseJudge`` or
    ``PairwiseJudge`` whose config carries that seed). ``fingerprint`` describes the settings
    that shape judgments (model, prompts, sampling); a cache written with another fingerprint
    is refused rather than mixed in.
    """
    settings = settings or JudgeRunSettings()
    if data.benchmark == "rewardbench2" and (settings.mode == "pairwise" or settings.compare_by == "majority"):
        ties = [row.key for row in data.rows if row.subset == "Ties"]
        if ties:
            raise ValueError(
                f"the Ties subset ({len(ties)} rows) is scored from per-response scores; pairwise judges and "
                "majority votes give verdicts, not scores: use --mode pointwise with --compare-by score or "
                "expected, or --subsets without Ties"
            )
    items = _items(data, settings.mode, settings.domain)
    # "seeds" marks how samples are seeded (per prompt), so caches seeded per chunk are refused.
    shaping = {"mode": settings.mode, "seeds": "per-prompt", "seed": settings.seed, "domain": settings.domain}
    store = JsonlStore(cache, JUDGMENT_STORE_KIND, {**shaping, **(fingerprint or {})})
    run = JudgeRun(scores=[], broken_cache_lines=store.torn)
    bar = None
    if progress and items:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=f"judging ({settings.mode})", unit="item")
    try:
        for start in range(0, len(items), settings.chunk):
            part = items[start : start + settings.chunk]
            todo = [i for i in part if i.key not in store]
            if todo:
                records = _judge_chunk(judge_factory(settings.seed), part, settings.mode)
                for item, record in zip(part, records, strict=True):
                    if item.key not in store:
                        store.put(record)
            run.judged += len(todo)
            run.cached += len(part) - len(todo)
            if bar is not None:
                bar.update(len(part))
        judged = {item.key: store.get(item.key) or {} for item in items}
    finally:
        store.close()
        if bar is not None:
            bar.close()
    run.scores = _scores(data, items, judged, settings, run)
    run.settings = {
        "source": "judge",
        "mode": settings.mode,
        "compare_by": settings.compare_by,
        "voting": settings.voting,
        "seed": settings.seed,
    }
    return run


def _vote(name: str) -> Callable[[Sequence[Score]], Score]:
    from patarm.voting import get_voting_rule

    return get_voting_rule(name)


def _majority(
    chosen: Sequence[Score], rejected: Sequence[Score], vote: Callable[[Sequence[Score]], Score]
) -> tuple[Score, Score]:
    """A comparison decided by majority over paired samples, as a pair of scores: (1, 0) a win,
    (0, 1) a loss, (0.5, 0.5) a split vote; a side with no well-formed sample stays None."""
    from patarm.voting import majority_vote, preferences_from_scores

    if vote(chosen) is None or vote(rejected) is None:
        return (None if vote(chosen) is None else 0.0), (None if vote(rejected) is None else 0.0)
    winner = majority_vote(preferences_from_scores(chosen, rejected))
    return {"a": (1.0, 0.0), "b": (0.0, 1.0), None: (0.5, 0.5)}[winner]


def _scores(
    data: BenchmarkData,
    items: Sequence[_Item],
    records: Mapping[str, dict[str, Any]],
    settings: JudgeRunSettings,
    run: JudgeRun,
) -> list[RowScores]:
    from patarm.voting import mean_vote

    vote = _vote(settings.voting)
    by_row: dict[int, list[tuple[_Item, dict[str, Any]]]] = {}
    for item in items:
        record = records[item.key]
        by_row.setdefault(item.row, []).append((item, record))
        run.malformed_samples += int(record.get("malformed", 0))
    out = []
    for r, row in enumerate(data.rows):
        entries = by_row.get(r, [])
        if settings.mode == "pointwise":
            samples = {(it.where[0], it.where[1]): rec["sample_scores"] for it, rec in entries}
            run.samples += sum(len(s) for s in samples.values())
            if settings.compare_by == "majority":
                grid = tuple(
                    tuple(
                        _majority(samples["chosen", i], samples["rejected", j], vote) for j in range(len(row.rejected))
                    )
                    for i in range(len(row.chosen))
                )
                out.append(RowScores(row.id, subset=row.subset, domain=row.part or row.domain, pairs=grid))
                continue
            if settings.compare_by == "expected":
                picked = {(it.where[0], it.where[1]): rec.get("expected_score") for it, rec in entries}
            else:
                picked = {where: vote(values) for where, values in samples.items()}
            chosen = tuple(picked["chosen", i] for i in range(len(row.chosen)))
            rejected = tuple(picked["rejected", j] for j in range(len(row.rejected)))
            out.append(row_scores(row, chosen, rejected))
            continue
        cells: dict[tuple[int, int], tuple[Score, Score]] = {}
        for it, rec in entries:
            orders = rec["orders"]
            run.samples += sum(len(o["samples"]) for o in orders)
            per_order = [(vote([a for a, _ in o["samples"]]), vote([b for _, b in o["samples"]])) for o in orders]
            winners = [None if a is None or b is None or a == b else a > b for a, b in per_order]
            if len(per_order) == 2:
                run.orders_compared += 1
                run.agreements += winners[0] == winners[1]
            if settings.compare_by == "majority":
                a_all = [a for o in orders for a, _ in o["samples"]]
                b_all = [b for o in orders for _, b in o["samples"]]
                cells[it.where[1], it.where[2]] = _majority(a_all, b_all, vote)
            else:  # as the pairwise judge does: each side's mean over orders, None if an order failed
                a_side = [a for a, _ in per_order]
                b_side = [b for _, b in per_order]
                cells[it.where[1], it.where[2]] = (
                    mean_vote(a_side) if None not in a_side else None,
                    mean_vote(b_side) if None not in b_side else None,
                )
        grid = tuple(tuple(cells[i, j] for j in range(len(row.rejected))) for i in range(len(row.chosen)))
        out.append(RowScores(row.id, subset=row.subset, domain=row.part or row.domain, pairs=grid))
    return out
