"""Domain labels for pairs, with where each label came from: ``given`` (the row had one),
``heuristic`` (:class:`~patarm.rubrics.HeuristicRouter`) or ``llm`` (a model, e.g. through
:class:`~patarm.rubrics.LLMRouter`). The source is kept so a corpus can be audited.

>>> from patarm.types import PreferencePair
>>> labeler = DomainLabeler()
>>> labeler.label(PreferencePair(pair_id="p", prompt="Solve x^2 = 4.", chosen="2", rejected="3"))
('math', 'heuristic')
>>> labeler.label(PreferencePair(pair_id="q", prompt="hi", chosen="a", rejected="b", domain="chat"))
('chat', 'given')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from patarm.prompts import prompt_as_text
from patarm.rubrics import HeuristicRouter, Router, RubricSet, UnknownDomainError
from patarm.types import PreferencePair

__all__ = ["DomainLabeler", "DomainSource"]

DomainSource = Literal["given", "heuristic", "llm"]


@dataclass
class DomainLabeler:
    """Keeps a pair's own domain (checked against ``rubrics``), else asks ``router``.

    ``source`` names what the router is (``heuristic`` or ``llm``); a router that counts its
    ``fallbacks`` (:class:`~patarm.rubrics.LLMRouter`) and fell back on a pair gets
    ``heuristic`` for that pair. ``counts`` tallies (domain, source) over every pair labelled.
    """

    router: Router = field(default_factory=HeuristicRouter)
    source: DomainSource = "heuristic"
    rubrics: RubricSet = field(default_factory=RubricSet)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def label(self, pair: PreferencePair) -> tuple[str, DomainSource]:
        """The pair's domain and the source of the label."""
        if pair.domain:
            domain, source = self.rubrics.check(pair.domain), "given"
        else:
            fallbacks = getattr(self.router, "fallbacks", None)
            domain = self.router(prompt_as_text(pair.prompt))
            if domain not in self.rubrics:
                raise UnknownDomainError(domain, self.rubrics.domains())
            source = self.source
            if fallbacks is not None and getattr(self.router, "fallbacks", fallbacks) > fallbacks:
                source = "heuristic"  # an LLMRouter whose answer was not a domain fell back to the rules
        self.counts[(domain, source)] += 1
        return domain, source  # type: ignore[return-value]

    def apply(self, pair: PreferencePair) -> tuple[PreferencePair, DomainSource]:
        """The pair with its domain filled in, and the label's source."""
        domain, source = self.label(pair)
        return (pair if pair.domain == domain else pair.model_copy(update={"domain": domain})), source
