"""The analyses as library calls: a judge and data in, a JSON-ready report out.

- :func:`analyze_votes`: accuracy against k from one run of k_max samples per response;
- :func:`analyze_best_of_n`: the judge's top-scored candidate against random and oracle;
- :func:`analyze_seeds`: :func:`analyze_votes` under several seeds, mean and std per k.

Each judges through :func:`patarm.judges.judge_items` with an optional store, so a rerun resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from patarm.analysis._best_of_n import best_of_n_curve
from patarm.analysis._candidates import CandidateRow
from patarm.analysis._judging import counts_dict, judge_samples
from patarm.analysis._seeds import seed_summary
from patarm.analysis._votes import votes_curve
from patarm.errors import ConfigError
from patarm.judges import PointwiseItem, PointwiseJudge

__all__ = ["PairLike", "analyze_best_of_n", "analyze_seeds", "analyze_votes"]


class PairLike(Protocol):
    """A preference pair as the analyses read it (a :class:`~patarm.types.PreferencePair`, an audit pair)."""

    @property
    def prompt(self) -> Any: ...
    @property
    def chosen(self) -> str: ...
    @property
    def rejected(self) -> str: ...
    @property
    def domain(self) -> str | None: ...


def analyze_votes(
    pairs: Sequence[PairLike],
    judge: PointwiseJudge,
    *,
    draws: int = 0,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    chunk: int = 32,
    progress: bool | str = False,
) -> dict[str, Any]:
    """Judge both responses of every pair once with the judge's k (= k_max) samples, then
    pair accuracy at every k = 1..k_max under the judge's voting rule (see
    :func:`~patarm.analysis.votes_curve`); ``draws`` random k-subsets per k, seeded by the
    judge's seed. Ties and failed judgments count as wrong."""
    if not pairs:
        raise ConfigError("no pairs to analyse")
    items = [PointwiseItem(p.prompt, side, p.domain) for p in pairs for side in (p.chosen, p.rejected)]
    samples, _, counts = judge_samples(judge, items, store=store, settings=settings, chunk=chunk, progress=progress)
    chosen, rejected = samples[0::2], samples[1::2]
    cfg = judge.config
    return {
        "analysis": "votes",
        "pairs": len(pairs),
        "k_max": cfg.samples,
        "voting": cfg.voting,
        "draws": draws,
        "seed": cfg.seed,
        "malformed_samples": sum(s is None for scores in samples for s in scores),
        "failed_judgments": sum(all(s is None for s in scores) for scores in samples),
        "judging": counts_dict(counts),
        "curve": votes_curve(
            chosen, rejected, voting=cfg.voting, draws=draws, seed=0 if cfg.seed is None else cfg.seed
        ),
    }


def analyze_best_of_n(
    rows: Sequence[CandidateRow],
    judge: PointwiseJudge,
    *,
    draws: int = 20,
    seed: int = 0,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    chunk: int = 32,
    progress: bool | str = False,
) -> dict[str, Any]:
    """Judge every candidate pointwise (the judge's k samples, voted), then Best-of-N accuracy
    per N' (see :func:`~patarm.analysis.best_of_n_curve`); ``seed`` draws the subsets and tie breaks."""
    if not rows:
        raise ConfigError("no rows to analyse")
    items = [PointwiseItem(row.prompt, text, row.domain) for row in rows for text in row.responses]
    _, scores, counts = judge_samples(judge, items, store=store, settings=settings, chunk=chunk, progress=progress)
    scored: list[tuple[list[float | None], tuple[bool, ...]]] = []
    at = 0
    for row in rows:
        scored.append((scores[at : at + len(row.responses)], row.correct))
        at += len(row.responses)
    sizes = {len(row.responses) for row in rows}
    return {
        "analysis": "best-of-n",
        "rows": len(rows),
        "candidates": sum(len(row.responses) for row in rows),
        "n_max": min(sizes),
        "uneven": sorted(sizes) if len(sizes) > 1 else None,
        "samples_per_judgment": judge.config.samples,
        "voting": judge.config.voting,
        "draws": draws,
        "seed": seed,
        "failed_judgments": sum(s is None for s in scores),
        "judging": counts_dict(counts),
        "curve": best_of_n_curve(scored, draws=draws, seed=seed),
    }


def analyze_seeds(
    pairs: Sequence[PairLike],
    judge_for_seed: Callable[[int], PointwiseJudge],
    seeds: Sequence[int],
    *,
    draws: int = 0,
    store_for_seed: Callable[[int], str | Path | None] = lambda seed: None,
    settings: Mapping[str, Any] | None = None,
    chunk: int = 32,
    progress: bool = False,
) -> dict[str, Any]:
    """:func:`analyze_votes` once per seed (``judge_for_seed(seed)``, stored in
    ``store_for_seed(seed)``), then per k the mean, std and each seed's accuracy over the first k."""
    if not seeds:
        raise ConfigError("no seeds given")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds: each seed once, got {list(seeds)}")
    runs = {}
    for seed in seeds:
        label = f"seed {seed}" if progress else False
        runs[seed] = analyze_votes(
            pairs, judge_for_seed(seed), draws=draws, store=store_for_seed(seed), settings=settings, chunk=chunk,
            progress=label,
        )  # fmt: skip
    first = runs[seeds[0]]
    curve = []
    for i in range(first["k_max"]):
        summary = seed_summary({seed: run["curve"][i]["first"]["value"] for seed, run in runs.items()})
        curve.append({"k": i + 1, **summary})
    return {
        "analysis": "seeds",
        "pairs": first["pairs"],
        "k_max": first["k_max"],
        "voting": first["voting"],
        "seeds": list(seeds),
        "curve": curve,
        "runs": {str(seed): run for seed, run in runs.items()},
    }
