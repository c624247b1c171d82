"""Judging what an audit needs, once each, resumably.

A :class:`Probe` is one thing to judge: a response (pointwise) or a pair of responses in both
orders (pairwise). Probes are keyed by their content, so a rewrite that changes nothing (the
plain version of an already plain response) is judged once. Judging goes through
:func:`patarm.judges.judge_items`, the loop every command that judges shares: judgments go to a
:class:`~patarm.store.JsonlStore` as each chunk finishes, keyed by what was judged; each
prompt's samples are seeded from the judge's seed and the prompt itself
(:func:`~patarm.backends.sample_seed`), so a rerun after an interruption resumes and gives the
same numbers whatever the chunking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from patarm.judges import Judge, JudgeCounts, PairwiseItem, PairwiseResult, PointwiseItem, PointwiseResult, judge_items

__all__ = ["Judged", "Probe", "collect", "probe_key"]


def probe_key(kind: str, prompt: Any, texts: Sequence[str], domain: str | None, reference: str | None = None) -> str:
    """A probe's key: its kind and a digest of what the judge sees (the reference answer only
    when there is one, so keys without references are as they were)."""
    shown: list[Any] = [prompt, list(texts), domain]
    if reference is not None:
        shown.append({"reference": reference})
    blob = json.dumps(shown, ensure_ascii=False, sort_keys=True)
    return f"{kind}#{hashlib.sha1(blob.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class Probe:
    """One response (``point``) or two responses (``pair``, judged in both orders) to judge,
    against ``reference`` when there is one."""

    kind: Literal["point", "pair"]
    prompt: Any
    texts: tuple[str, ...]
    domain: str | None
    reference: str | None = None

    @property
    def key(self) -> str:
        return probe_key(self.kind, self.prompt, self.texts, self.domain, self.reference)


@dataclass
class Judged:
    """Judgment views by probe key (what the checks read), and what it took."""

    records: dict[str, dict[str, Any]]
    judged: int = 0
    cached: int = 0
    failed: int = 0
    torn_lines: int = 0

    def point(self, prompt: Any, text: str, domain: str | None, reference: str | None = None) -> dict[str, Any]:
        return self.records[probe_key("point", prompt, [text], domain, reference)]

    def pair(
        self, prompt: Any, a: str, b: str, domain: str | None, reference: str | None = None
    ) -> dict[str, Any] | None:
        return self.records.get(probe_key("pair", prompt, [a, b], domain, reference))


def _point_view(result: PointwiseResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "expected_score": result.expected_score,
        "sample_scores": [s.score for s in result.samples],
        "malformed": result.malformed,
        "domain": result.domain,
    }


def _pair_view(result: PairwiseResult) -> dict[str, Any]:
    return {
        "score_a": result.score_a,
        "score_b": result.score_b,
        "orders": [{"a_first": o.a_first, "score_a": o.score_a, "score_b": o.score_b} for o in result.orders],
        "malformed": result.malformed,
        "samples": sum(len(o.samples) for o in result.orders),
        "domain": result.domain,
    }


def collect(
    probes: Sequence[Probe],
    judges: Mapping[str, Judge[Any, Any]],
    *,
    chunk: int = 32,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> Judged:
    """Judge every distinct probe (``judges["point"]`` the responses, ``judges["pair"]`` the
    pairs) through :func:`patarm.judges.judge_items`, reusing the store's judgments of the same
    content; a store made with other ``settings`` (or judge settings) is refused."""
    unique: dict[str, Probe] = {}
    for probe in probes:
        unique.setdefault(probe.key, probe)
    points = [p for p in unique.values() if p.kind == "point"]
    pairs = [p for p in unique.values() if p.kind == "pair"]
    out = Judged({})
    shared: dict[str, Any] = {"store": store, "settings": settings, "chunk": chunk}
    if points:
        run = judge_items(
            judges["point"], [PointwiseItem(p.prompt, p.texts[0], p.domain, p.reference) for p in points],
            progress="auditing" if progress else False, **shared,
        )  # fmt: skip
        out.records.update((p.key, _point_view(r)) for p, r in zip(points, run.results, strict=True))
        _add(out, run.counts)
    if pairs:
        paired = judge_items(
            judges["pair"], [PairwiseItem(p.prompt, p.texts[0], p.texts[1], p.domain, p.reference) for p in pairs],
            progress="auditing pairs" if progress else False, **shared,
        )  # fmt: skip
        out.records.update((p.key, _pair_view(r)) for p, r in zip(pairs, paired.results, strict=True))
        _add(out, paired.counts)
    return out


def _add(out: Judged, counts: JudgeCounts) -> None:
    out.judged += counts.judged
    out.cached += counts.reused
    out.failed += counts.failed
    out.torn_lines += counts.torn
