"""Criteria written once per prompt by a model, cached, and reused for every response."""

from __future__ import annotations

from collections.abc import Sequence

from patarm.backends import Backend, SamplingParams
from patarm.parsing import parse_judgment
from patarm.prompts import JudgePrompts, PromptInput, prompt_as_text
from patarm.rubrics import CriteriaCache

__all__ = ["CriteriaGenerator"]


class CriteriaGenerator:
    """Fills a :class:`CriteriaCache`: one criteria call per distinct (prompt, domain).

    A call whose output holds no ``<criteria>`` block yields None (the judge then writes
    its criteria inline for that item) and is counted in ``failures``. ``cache_hits``
    counts items whose criteria were cached before the call.
    """

    def __init__(
        self,
        backend: Backend,
        prompts: JudgePrompts,
        *,
        cache: CriteriaCache | None = None,
        params: SamplingParams | None = None,
    ) -> None:
        self.backend = backend
        self.prompts = prompts
        self.cache = cache if cache is not None else CriteriaCache()
        self.params = params or SamplingParams(n=1, temperature=0.0, max_new_tokens=512)
        self.calls = 0
        self.cache_hits = 0
        self.failures = 0
        self.generated_tokens = 0

    def criteria_for_many(self, items: Sequence[tuple[PromptInput, str]]) -> list[str | None]:
        """Criteria for each (prompt, domain), generating only what the cache lacks."""
        texts = [prompt_as_text(prompt) for prompt, _ in items]
        missing: dict[tuple[str, str], PromptInput] = {}
        for (prompt, domain), text in zip(items, texts, strict=True):
            if self.cache.get(text, domain) is None:
                missing.setdefault((text, domain), prompt)
            else:
                self.cache_hits += 1
        failed: set[tuple[str, str]] = set()
        if missing:
            keys = list(missing)
            requests = [self.prompts.criteria_request(missing[k], k[1]) for k in keys]
            outputs = self.backend.generate(requests, self.params)
            self.calls += len(requests)
            for key, samples in zip(keys, outputs, strict=True):
                self.generated_tokens += sum(s.num_tokens or 0 for s in samples)
                criteria = parse_judgment(samples[0].text).criteria
                if criteria is None:
                    failed.add(key)
                    self.failures += 1
                else:
                    self.cache.put(key[0], key[1], criteria)
        return [None if (t, d) in failed else self.cache.get(t, d) for t, (_, d) in zip(texts, items, strict=True)]
