"""Sampling where every row of a batch draws from its own torch generator.

``model.generate`` samples a whole batch from one random stream, so a row's tokens depend on
which rows share its batch. :class:`RowSampler` is a logits processor that does the sampling
itself (temperature, then ``transformers``' top-p, then one multinomial draw per row from
that row's generator) and returns scores in which only the drawn token is finite;
``generate`` then runs greedily and keeps exactly that token. A row's samples thus depend on
its own seed and logits alone; batch composition can still move them through the
floating-point effects of padding on the logits.

>>> import torch
>>> sampler = RowSampler(1.0, 1.0, seeds=[1, 1])  # two rows with the same seed draw alike
>>> scores = sampler(torch.zeros((2, 1), dtype=torch.long), torch.zeros((2, 50)))
>>> bool((scores == 0).sum(dim=1).eq(1).all()), bool(scores.argmax(dim=1).unique().numel() == 1)
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import TopPLogitsWarper

from patarm.errors import InputError

__all__ = ["RowSampler"]


class RowSampler:
    """A ``transformers`` logits processor: row ``r`` samples its next token from a generator
    seeded with ``seeds[r]`` (the global torch RNG when ``seeds`` is None). The generators are
    made on the logits' device at the first step, wherever the model puts its output."""

    def __init__(self, temperature: float, top_p: float, seeds: Sequence[int] | None) -> None:
        if temperature <= 0:
            raise InputError(f"temperature must be > 0 to sample, got {temperature}")
        self.temperature = temperature
        self.seeds = list(seeds) if seeds is not None else None
        self._top_p = TopPLogitsWarper(top_p) if top_p < 1.0 else None
        self._generators: list[torch.Generator] | None = None

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        logits = scores.float() / self.temperature
        if self._top_p is not None:
            logits = self._top_p(input_ids, logits)
        probs = torch.softmax(logits, dim=-1)
        if self.seeds is None:
            picks = torch.multinomial(probs, 1)
        else:
            if len(self.seeds) != probs.shape[0]:
                raise InputError(f"{len(self.seeds)} seeds for a batch of {probs.shape[0]} rows")
            if self._generators is None:
                self._generators = [torch.Generator(device=probs.device).manual_seed(s) for s in self.seeds]
            picks = torch.stack([torch.multinomial(probs[r], 1, generator=g) for r, g in enumerate(self._generators)])
        out = torch.full_like(scores, -torch.inf)
        return out.scatter_(1, picks, 0.0)
