"""Scores for benchmark rows from a judge (pointwise or pairwise) or a built-in baseline.

A judge run goes through :func:`patarm.judges.judge_items`, the loop every command that judges
shares: each judgment is cached in a :class:`~patarm.store.JsonlStore` as soon as its chunk is
judged, keyed by what was judged (prompt, response, domain, settings), so an interrupted run
resumes where it stopped and a changed row is judged again (a cache made with other settings
is refused, naming each difference; a record cut short by the interruption is dropped and
redone). Each prompt's samples are seeded from the judge's seed and the prompt itself
(:func:`~patarm.backends.sample_seed`), not from its chunk, so a resumed or re-chunked run asks
for the same samples as an uninterrupted one. Cached judgments keep every sample's score, so
the voting rule and ``compare_by`` (not ``expected``) can change without re-judging.

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

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from patarm._settings_model import SettingsModel
from patarm.errors import ConfigError
from patarm.eval._rewardbench import SECTIONS
from patarm.eval._rows import Benchmark, BenchmarkData, BenchmarkRow, RowScores, Score
from patarm.eval._scores_file import row_scores
from patarm.judges import JudgeConfig

if TYPE_CHECKING:
    from patarm.judges import Judge

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
_JUDGE_VOTING = JudgeConfig.model_fields["voting"].default  # one default for the judge's voting rule

_RB2_DOMAINS = {
    "Factuality": "chat",
    "Precise IF": "instruction_following",
    "Math": "math",
    "Safety": "safety",
    "Focus": "chat",
}


def judge_domain(benchmark: Benchmark, row: BenchmarkRow) -> str | None:
    """The rubric domain a judge should use for ``row`` of ``benchmark`` (None: let the router
    decide): RM-Bench's own domain; RewardBench 2's by subset; RewardBench's by subset (llmbar-*:
    instruction following, math-prm: math, hep-*: code, the Safety section: safety, the Chat
    section and mt-bench-hard: chat).

    >>> judge_domain("rewardbench", BenchmarkRow("1", "q", ("a",), ("b",), "math-prm", "1"))
    'math'
    >>> judge_domain("rewardbench2", BenchmarkRow("2", "q", ("a",), ("b", "c"), "Precise IF", "2"))
    'instruction_following'
    """
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
        raise ConfigError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")
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


class JudgeRunSettings(SettingsModel):
    """How a judge run turns judgments into scores; each field's ``description`` says what it
    sets, and ``patarm eval``'s ``--mode``, ``--compare-by`` and ``--chunk`` are generated from
    the fields. ``chunk`` does not change the samples, so it may change between resumed runs.

    ``voting`` is the judge's rule: its default is :class:`~patarm.judges.JudgeConfig`'s
    ``voting`` (``patarm eval`` passes ``--voting``), applied here to the cached samples, so it
    may change without re-judging. The seed is the judge's own (its config's ``seed``);
    ``domain`` is the judging commands' ``--domain``.

    >>> JudgeRunSettings(compare_by="majority").voting
    'mean'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: JudgeMode = Field("pointwise", description="judge each response alone, or each pair side by side")
    compare_by: CompareBy = Field(
        "score",
        description="score: voted scores (--voting); majority: majority of per-sample preferences; expected: "
        "expected score from log-probabilities (pointwise)",
    )
    voting: Literal["mean", "median"] = Field(
        _JUDGE_VOTING, description="how each response's sample scores combine (the judge config's rule)"
    )
    chunk: int = Field(
        32, ge=1, description="responses (or pairs) judged and cached per step (may change between runs)"
    )
    domain: str | None = Field(None, description="judge every row in this domain (None: each row's own, else routed)")

    @model_validator(mode="after")
    def _expected_needs_pointwise(self) -> JudgeRunSettings:
        if self.mode == "pairwise" and self.compare_by == "expected":
            raise ConfigError(
                "JudgeRunSettings: compare_by 'expected' needs a pointwise judge (expected scores are per response)"
            )
        return self


@dataclass
class JudgeRun:
    """The scores of a judge run and what it took: items judged now and reused from the
    cache, failed judgments, ids judged before with other content, samples and malformed
    samples, and (pairwise) position agreement."""

    scores: list[RowScores]
    judged: int = 0
    cached: int = 0
    failed: int = 0
    changed: int = 0
    broken_cache_lines: int = 0
    samples: int = 0
    malformed_samples: int = 0
    agreements: int = 0
    orders_compared: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def position_agreement(self) -> float | None:
        """Fraction of pairwise comparisons whose two orders picked the same winner (a
        comparison where an order failed counts, and never agrees)."""
        return self.agreements / self.orders_compared if self.orders_compared else None

    def info(self) -> dict[str, Any]:
        """A summary for the report's ``run`` field."""
        out = dict(self.settings)
        out.update(
            judged=self.judged,
            from_cache=self.cached,
            failed=self.failed,
            samples=self.samples,
            malformed_samples=self.malformed_samples,
        )
        if self.changed:
            out.update(ids_with_other_content=self.changed)
        if self.orders_compared:
            out.update(position_agreement=self.position_agreement, orders_compared=self.orders_compared)
        return out


@dataclass(frozen=True)
class _Item:
    name: str
    row: int
    where: tuple[str, int, int]  # ("chosen"|"rejected", index, -1) or ("pair", i, j)
    item: Any  # the PointwiseItem or PairwiseItem judged


def _items(data: BenchmarkData, mode: JudgeMode, domain: str | None) -> list[_Item]:
    from patarm.judges import PairwiseItem, PointwiseItem

    items = []
    for r, row in enumerate(data.rows):
        d = domain or judge_domain(data.benchmark, row)
        if mode == "pointwise":
            for side, index, text in row.responses():
                items.append(
                    _Item(
                        f"{row.key}/{side}/{index}",
                        r,
                        (side, index, -1),
                        PointwiseItem(row.prompt, text, d, row.reference),
                    )
                )
        else:
            for i, chosen in enumerate(row.chosen):
                for j, rejected in enumerate(row.rejected):
                    where = ("pair", i, j)
                    item = PairwiseItem(row.prompt, chosen, rejected, d, row.reference)
                    items.append(_Item(f"{row.key}/pair/{i}-{j}", r, where, item))
    return items


def run_judge(
    data: BenchmarkData,
    judge: Judge[Any, Any],
    settings: JudgeRunSettings | None = None,
    *,
    cache: str | Path | None = None,
    fingerprint: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> JudgeRun:
    """Judge every response (or comparison) of ``data`` with ``judge`` (a ``PointwiseJudge``,
    or a ``PairwiseJudge`` in pairwise mode) and return per-row scores, through
    :func:`patarm.judges.judge_items`. ``fingerprint`` describes what else shapes judgments
    (model, benchmark); a cache written with another fingerprint or another judge's settings
    is refused rather than mixed in. The voting rule may change without re-judging: cached
    judgments keep every sample's score.
    """
    from patarm.judges import judge_items

    settings = settings or JudgeRunSettings()
    if judge.mode != settings.mode:
        raise ConfigError(f"a {settings.mode} run needs a {settings.mode} judge, got a {judge.mode} one")
    if data.benchmark == "rewardbench2" and (settings.mode == "pairwise" or settings.compare_by == "majority"):
        ties = [row.key for row in data.rows if row.subset == "Ties"]
        if ties:
            raise ConfigError(
                f"the Ties subset ({len(ties)} rows) is scored from per-response scores; pairwise judges and "
                "majority votes give verdicts, not scores: use --mode pointwise with --compare-by score or "
                "expected, or --subsets without Ties"
            )
    items = _items(data, settings.mode, settings.domain)
    judged = judge_items(
        judge,
        [i.item for i in items],
        ids=[i.name for i in items],
        store=cache,
        settings=dict(fingerprint or {}),
        ignore=("voting",),
        chunk=settings.chunk,
        progress=f"judging ({settings.mode})" if progress else False,
    )
    counts = judged.counts
    run = JudgeRun(scores=[], judged=counts.judged, cached=counts.reused, failed=counts.failed)
    run.changed, run.broken_cache_lines = counts.changed, counts.torn
    run.scores = _scores(data, items, judged.results, settings, run)
    run.settings = {
        "source": "judge",
        "mode": settings.mode,
        "compare_by": settings.compare_by,
        "voting": settings.voting,
        "seed": judge.settings().get("seed"),
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
    results: Sequence[Any],
    settings: JudgeRunSettings,
    run: JudgeRun,
) -> list[RowScores]:
    from patarm.voting import mean_vote

    vote = _vote(settings.voting)
    by_row: dict[int, list[tuple[_Item, Any]]] = {}
    for item, result in zip(items, results, strict=True):
        by_row.setdefault(item.row, []).append((item, result))
        run.malformed_samples += result.malformed
    out = []
    for r, row in enumerate(data.rows):
        entries = by_row.get(r, [])
        if settings.mode == "pointwise":
            samples = {(it.where[0], it.where[1]): [s.score for s in res.samples] for it, res in entries}
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
                picked = {(it.where[0], it.where[1]): res.expected_score for it, res in entries}
            else:
                picked = {where: vote(values) for where, values in samples.items()}
            chosen = tuple(picked["chosen", i] for i in range(len(row.chosen)))
            rejected = tuple(picked["rejected", j] for j in range(len(row.rejected)))
            out.append(row_scores(row, chosen, rejected))
            continue
        cells: dict[tuple[int, int], tuple[Score, Score]] = {}
        for it, res in entries:
            orders = [[(s.score_a, s.score_b) for s in o.samples] for o in res.orders]
            run.samples += sum(len(o) for o in orders)
            per_order = [(vote([a for a, _ in o]), vote([b for _, b in o])) for o in orders]
            if len(per_order) == 2:  # an order that failed is a failure here too, never an agreement
                run.orders_compared += 1
                decided = [(a, b) for a, b in per_order if a is not None and b is not None]
                if len(decided) == 2:
                    winners = [None if a == b else a > b for a, b in decided]
                    run.agreements += winners[0] == winners[1]
            if settings.compare_by == "majority":
                a_all = [a for o in orders for a, _ in o]
                b_all = [b for o in orders for _, b in o]
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
