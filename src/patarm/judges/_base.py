"""What pointwise and pairwise judges share: routing, cached criteria, chunked sampling."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from patarm.backends import Backend, ChatInput, Completion, SamplingParams
from patarm.judges._config import JudgeConfig
from patarm.judges._criteria import CriteriaGenerator
from patarm.prompts import JudgePrompts, PromptInput, prompt_as_text
from patarm.rubrics import BUILTIN_DIR, CriteriaCache, HeuristicRouter, Router, RubricSet, resolve_domain

__all__ = ["JudgeBase", "folder_digest", "total_tokens"]

_BUILTIN_RUBRICS = Path(BUILTIN_DIR).resolve()


def folder_digest(folder: str | Path, pattern: str) -> str:
    """A digest of the names and contents of the files matching ``pattern`` in ``folder`` (sorted;
    empty when the folder is missing): what a cache key needs from a folder of templates or rubrics.

    >>> folder_digest("/no/such/folder", "*.j2") == folder_digest("/no/such/other", "*.j2")
    True
    """
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(root.glob(pattern)) if root.is_dir() else ():
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def total_tokens(completions: Iterable[Completion]) -> int | None:
    """Tokens generated over ``completions``; None when the backend did not count every one."""
    counts = [c.num_tokens for c in completions]
    return None if None in counts else sum(c or 0 for c in counts)


class JudgeBase:
    """Holds the backend, settings, rubrics, router and (in cached mode) the criteria generator."""

    def __init__(
        self,
        backend: Backend,
        config: JudgeConfig | None = None,
        *,
        rubrics: RubricSet | None = None,
        router: Router | None = None,
        criteria_cache: CriteriaCache | None = None,
        template_dir: str | None = None,
    ) -> None:
        self.backend = backend
        self.template_dir = template_dir
        self.config = config or JudgeConfig()
        self.rubrics = rubrics or RubricSet()
        self.router: Router = router or HeuristicRouter()
        self.prompts = JudgePrompts(
            self.rubrics,
            scale=self.config.scale,
            tiers=self.config.tiers,
            system_prompt=self.config.system_prompt,
            template_dir=template_dir,
        )
        self.criteria: CriteriaGenerator | None = None
        if self.config.criteria_mode == "cached" and self.prompts.use_generated:
            params = SamplingParams(
                n=1,
                temperature=self.config.temperature,
                top_p=self.config.top_p,
                max_new_tokens=min(512, self.config.max_new_tokens),
                seed=self.config.seed,
            )
            self.criteria = CriteriaGenerator(backend, self.prompts, cache=criteria_cache, params=params)

    def settings(self) -> dict[str, Any]:
        """What shapes this judge's judgments: its config (less ``chunk_size``, which only
        sets how many prompts go to the backend at once) and its template folder, by path and
        by a digest of its templates (an edited template makes new judgments, never reuses old ones)."""
        out = self.config.model_dump(mode="json", exclude={"chunk_size"})
        user_rubrics = [d for d in self.rubrics.directories if Path(d).resolve() != _BUILTIN_RUBRICS]
        if user_rubrics:  # the user's rubric files, by content: an edited rubric makes new judgments
            out["rubrics"] = [folder_digest(d, "*.j2") for d in user_rubrics]
        if self.template_dir is not None:
            out["template_dir"] = str(self.template_dir)
            out["templates"] = folder_digest(self.template_dir, "*.j2")
        return out

    def _domains(self, prompts: Sequence[PromptInput], given: Sequence[str | None]) -> list[str]:
        routed: dict[str, str] = {}
        out = []
        for prompt, domain in zip(prompts, given, strict=True):
            if domain:
                out.append(self.rubrics.check(domain))
                continue
            text = prompt_as_text(prompt)
            if text not in routed:
                routed[text] = resolve_domain(None, text, self.rubrics, self.router)
            out.append(routed[text])
        return out

    def _criteria_for(self, prompts: Sequence[PromptInput], domains: Sequence[str]) -> list[str | None]:
        if self.criteria is None:
            return [None] * len(prompts)
        return self.criteria.criteria_for_many(list(zip(prompts, domains, strict=True)))

    def _generate(self, requests: Sequence[ChatInput], *, progress: bool, desc: str) -> list[list[Completion]]:
        """Sample in chunks of ``config.chunk_size`` prompts (one progress step each). Every chunk
        gets the config's seed: the backend derives each prompt's seeds from it and the prompt
        (:func:`~patarm.backends.sample_seed`), so chunking does not change the samples."""
        size = self.config.chunk_size
        chunks = range(0, len(requests), size)
        out: list[list[Completion]] = []
        bar = None
        if progress and len(requests) > 0:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(requests), desc=desc, unit="prompt")
        for start in chunks:
            chunk = requests[start : start + size]
            out.extend(self.backend.generate(chunk, self.config.sampling()))
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
        return out
