"""The one small interface every generation backend implements.

prompts (plain text, or chat messages) in -> ``n`` completions per prompt out, with
optional per-token log-probabilities. Judges only ever talk to this interface.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["Backend", "ChatInput", "Completion", "SamplingParams", "TokenLogprobs", "sample_seed"]

# A prompt is raw text (already formatted for the model) or a list of chat messages
# ({"role": ..., "content": ...}), which the backend renders with the model's chat template.
ChatInput = str | Sequence[Mapping[str, str]]


@dataclass(frozen=True)
class SamplingParams:
    """How to sample. ``seed`` makes a call reproducible: the same prompts, params and seed
    give the same completions on the same backend and hardware. ``logprobs`` asks for the
    top-``logprobs`` alternatives at every generated token (None: none)."""

    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 1024
    seed: int | None = 0
    logprobs: int | None = None
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.logprobs is not None and self.logprobs < 1:
            raise ValueError(f"logprobs must be None or >= 1, got {self.logprobs}")


@dataclass(frozen=True)
class TokenLogprobs:
    """One generated token: its text, its log-probability and the top alternatives."""

    token: str
    logprob: float
    top: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Completion:
    """One sampled continuation. ``tokens`` is set when log-probabilities were asked for
    and the backend gives them; ``finish_reason`` is "stop", "length" or None (unknown)."""

    text: str
    num_tokens: int | None = None
    finish_reason: str | None = None
    tokens: tuple[TokenLogprobs, ...] | None = None


@runtime_checkable
class Backend(Protocol):
    """Anything that turns prompts into sampled completions."""

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        """``params.n`` completions for each prompt, in prompt order."""
        ...


def sample_seed(seed: int | None, prompt: ChatInput, sample_index: int) -> int | None:
    """The seed of sample ``sample_index`` of ``prompt`` in a call seeded with ``seed``.

    It derives from the call's seed, a hash of the prompt's content and the sample's index,
    never from the prompt's position in a call: a prompt gets the same seeds whatever else is
    in its batch, chunk or file, so a resumed, re-chunked or reordered run asks for the same
    samples as a clean one. Identical prompts are the same item and get the same seeds. Whether
    the samples themselves repeat is the backend's part (see each backend's notes on seeds).

    >>> sample_seed(0, "judge this", 1) == sample_seed(0, "judge this", 1)
    True
    >>> sample_seed(0, "judge this", 0) != sample_seed(0, "judge this", 1)
    True
    >>> sample_seed(None, "judge this", 0) is None
    True
    """
    if seed is None:
        return None
    content = prompt if isinstance(prompt, str) else [[m.get("role"), m.get("content")] for m in prompt]
    # ASCII JSON: a stable encoding of any text, lone surrogates included.
    payload = json.dumps([seed, sample_index, content], separators=(",", ":"))
    digest = hashlib.blake2b(payload.encode("ascii"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**31 - 1)
