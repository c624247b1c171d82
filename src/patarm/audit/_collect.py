"""Judging what an audit needs, once each, resumably.

A :class:`Probe` is one thing to judge: a response (pointwise) or a pair of responses in both
orders (pairwise). Probes are keyed by their content, so a rewrite that changes nothing (the
plain version of an already plain response) is judged once. Judgments go to a
:class:`~patarm.store.JsonlStore` as each chunk finishes; each prompt's samples are seeded from
the base seed and the prompt itself (:func:`~patarm.backends.sample_seed`), so a rerun after an
interruption resumes and gives the same numbers whatever the chunking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from patarm.store import JsonlStore

__all__ = ["AUDIT_STORE_KIND", "Judged", "Probe", "collect", "probe_key"]

AUDIT_STORE_KIND = "audit-judgments"
JudgeFactory = Callable[[int | None], Any]


def probe_key(kind: str, prompt: Any, texts: Sequence[str], domain: str | None) -> str:
    """A probe's key: its kind and a digest of what the judge sees."""
    blob = json.dumps([prompt, list(texts), domain], ensure_ascii=False, sort_keys=True)
    return f"{kind}#{hashlib.sha1(blob.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class Probe:
    """One response (``point``) or two responses (``pair``, judged in both orders) to judge."""

    kind: Literal["point", "pair"]
    prompt: Any
    texts: tuple[str, ...]
    domain: str | None

    @property
    def key(self) -> str:
        return probe_key(self.kind, self.prompt, self.texts, self.domain)


@dataclass
class Judged:
    """Judgment records by probe key, and what it took."""

    records: dict[str, dict[str, Any]]
    judged: int = 0
    cached: int = 0
    torn_lines: int = 0

    def point(self, prompt: Any, text: str, domain: str | None) -> dict[str, Any]:
        return self.records[probe_key("point", prompt, [text], domain)]

    def pair(self, prompt: Any, a: str, b: str, domain: str | None) -> dict[str, Any] | None:
        return self.records.get(probe_key("pair", prompt, [a, b], domain))


def _point_record(key: str, result: Any) -> dict[str, Any]:
    return {
        "id": key,
        "score": result.score,
        "expected_score": result.expected_score,
        "sample_scores": [s.score for s in result.samples],
        "malformed": result.malformed,
        "domain": result.domain,
    }


def _pair_record(key: str, result: Any) -> dict[str, Any]:
    return {
        "id": key,
        "score_a": result.score_a,
        "score_b": result.score_b,
        "orders": [{"a_first": o.a_first, "score_a": o.score_a, "score_b": o.score_b} for o in result.orders],
        "malformed": result.malformed,
        "samples": sum(len(o.samples) for o in result.orders),
        "domain": result.domain,
    }


def _judge(factory: JudgeFactory, seed: int | None, probes: Sequence[Probe]) -> list[dict[str, Any]]:
    from patarm.judges import PairwiseItem, PointwiseItem

    judge = factory(seed)
    if probes[0].kind == "point":
        results = judge.judge_many([PointwiseItem(p.prompt, p.texts[0], p.domain) for p in probes])
        return [_point_record(p.key, r) for p, r in zip(probes, results, strict=True)]
    results = judge.judge_many([PairwiseItem(p.prompt, p.texts[0], p.texts[1], p.domain) for p in probes])
    return [_pair_record(p.key, r) for p, r in zip(probes, results, strict=True)]


def collect(
    probes: Sequence[Probe],
    factories: Mapping[str, JudgeFactory],
    *,
    seed: int | None,
    chunk: int = 32,
    store: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> Judged:
    """Judge every distinct probe (``factories["point"]`` / ``["pair"]`` build a judge for a
    seed), reusing the store's records; a store made with other ``settings`` is refused."""

    unique: dict[str, Probe] = {}
    for probe in probes:
        unique.setdefault(probe.key, probe)
    book = JsonlStore(store, AUDIT_STORE_KIND, {"seed": seed, "seeds": "per-prompt", **(settings or {})})
    out = Judged({}, torn_lines=book.torn)
    bar = None
    if progress and unique:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(unique), desc="auditing", unit="judgment")
    try:
        for kind in ("point", "pair"):
            todo = [p for p in unique.values() if p.kind == kind]
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                missing = [p for p in part if p.key not in book]
                if missing:
                    for record in _judge(factories[kind], seed, part):
                        if record["id"] not in book:
                            book.put(record)
                out.judged += len(missing)
                out.cached += len(part) - len(missing)
                if bar is not None:
                    bar.update(len(part))
        out.records = {key: book.get(key) or {} for key in unique}
    finally:
        book.close()
        if bar is not None:
            bar.close()
    return out
