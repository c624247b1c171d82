"""Corpus statistics: counts by domain and source, chosen vs rejected lengths (the classic
length shortcut: how often the chosen response is simply the longer one), and duplicates.

Computed in one pass with bounded memory apart from the lengths (two ints per pair) and
the content hashes used to find duplicates.

>>> from patarm.types import PreferencePair
>>> stats = PairStats()
>>> stats.add(PreferencePair(pair_id="a", prompt="q", chosen="long answer", rejected="no"), "chat")
>>> stats.add(PreferencePair(pair_id="b", prompt="q", chosen="long answer", rejected="no"), "chat")
>>> stats.summary()["chosen_longer_share"], stats.summary()["duplicate_pairs"]
(1.0, 1)
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from patarm.data._loaders import derived_pair_id
from patarm.types import PreferencePair

__all__ = ["PairStats"]


@dataclass
class PairStats:
    """Accumulates pairs (:meth:`add`) and reports a JSON-ready :meth:`summary`."""

    domains: Counter[str] = field(default_factory=Counter)
    domain_sources: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    chosen_chars: list[int] = field(default_factory=list)
    rejected_chars: list[int] = field(default_factory=list)
    _content: set[str] = field(default_factory=set)
    _prompts: set[str] = field(default_factory=set)
    duplicate_pairs: int = 0
    repeated_prompts: int = 0

    def add(self, pair: PreferencePair, domain: str | None = None, domain_source: str | None = None) -> None:
        self.domains[domain or pair.domain or "(none)"] += 1
        if domain_source:
            self.domain_sources[domain_source] += 1
        self.sources[pair.source or "(none)"] += 1
        self.chosen_chars.append(len(pair.chosen))
        self.rejected_chars.append(len(pair.rejected))
        key = derived_pair_id(pair.prompt, pair.chosen, pair.rejected)
        if key in self._content:
            self.duplicate_pairs += 1
        self._content.add(key)
        prompt_key = derived_pair_id(pair.prompt, "", "")
        if prompt_key in self._prompts:
            self.repeated_prompts += 1
        self._prompts.add(prompt_key)

    def summary(self) -> dict[str, Any]:
        n = len(self.chosen_chars)
        pairs = list(zip(self.chosen_chars, self.rejected_chars, strict=True))

        def dist(values: list[int]) -> dict[str, float]:
            if not values:
                return {"mean": 0.0, "median": 0.0}
            return {"mean": round(statistics.fmean(values), 2), "median": float(statistics.median(values))}

        return {
            "pairs": n,
            "domains": dict(self.domains.most_common()),
            "domain_sources": dict(self.domain_sources.most_common()),
            "sources": dict(self.sources.most_common()),
            "chosen_chars": dist(self.chosen_chars),
            "rejected_chars": dist(self.rejected_chars),
            "chosen_longer_share": round(sum(c > r for c, r in pairs) / n, 4) if n else 0.0,
            "same_length_share": round(sum(c == r for c, r in pairs) / n, 4) if n else 0.0,
            "duplicate_pairs": self.duplicate_pairs,
            "repeated_prompts": self.repeated_prompts,
        }
