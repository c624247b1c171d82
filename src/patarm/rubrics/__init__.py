"""Task-adaptive rubrics: primary criteria per domain (Jinja templates or objects), domain
routing, a cache for instance-specific criteria generated once per prompt, and the sandboxed,
bounded Jinja environment every rubric and prompt template renders in."""

from patarm.rubrics._rubric import BUILTIN_DIR, Rubric, RubricSet, UnknownDomainError  # noqa: I001
from patarm.rubrics._criteria import CriteriaCache
from patarm.rubrics._routing import HeuristicRouter, LLMRouter, Route, Router, resolve_domain
from patarm.rubrics._sandbox import sandboxed_environment

__all__ = [
    "BUILTIN_DIR",
    "CriteriaCache",
    "HeuristicRouter",
    "LLMRouter",
    "Route",
    "Router",
    "Rubric",
    "RubricSet",
    "UnknownDomainError",
    "resolve_domain",
    "sandboxed_environment",
]
