"""The one small interface every generation backend implements.

prompts (plain text, or chat messages) in -> ``n`` completions per prompt out, with
optional per-token log-probabilities. Judges only ever talk to this interface.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from patarm.errors import ConfigError

__all__ = [
    "Backend",
    "ChatInput",
    "Completion",
    "SamplingParams",
    "TokenLogprobs",
    "by_text",
    "cut_at_stop",
    "logsumexp",
    "sample_seed",
]

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
            raise ConfigError(f"n must be >= 1, got {self.n}")
        if self.temperature < 0:
            raise ConfigError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ConfigError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.logprobs is not None and self.logprobs < 1:
            raise ConfigError(f"logprobs must be None or >= 1, got {self.logprobs}")


@dataclass(frozen=True)
class TokenLogprobs:
    """One generated token: its text, its log-probability and the top alternatives.

    ``top`` maps each alternative's text to its log-probability. Distinct token ids can decode
    to the same text (pieces of one UTF-8 character, or a tokenizer's duplicate entries); where
    the backend knows ids, ``token_id`` and ``top_ids`` (id -> log-probability) keep every
    alternative apart, and ``top`` holds, per text, the summed probability of its ids among
    them (so no mass is lost). Backends that only see texts (an HTTP server) leave the ids empty.
    """

    token: str
    logprob: float
    top: Mapping[str, float] = field(default_factory=dict)
    token_id: int | None = None
    top_ids: Mapping[int, float] = field(default_factory=dict)


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


def logsumexp(values: Sequence[float]) -> float:
    """``log(sum(exp(v)))``: the log-probability of alternatives taken together (exact for one, safe for ``-inf``).

    >>> round(logsumexp([math.log(0.25), math.log(0.5)]), 6) == round(math.log(0.75), 6)
    True
    """
    if len(values) == 1:
        return values[0]
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def by_text(alternatives: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Alternatives as ``{text: log-probability}``, summing those that share a text (none lost), in first-seen order.

    >>> by_text([("a", -1.0), ("b", -2.0), ("a", -1.0)]) == {"a": -1.0 + math.log(2), "b": -2.0}
    True
    """
    grouped: dict[str, list[float]] = {}
    for text, value in alternatives:
        grouped.setdefault(text, []).append(value)
    return {text: logsumexp(values) for text, values in grouped.items()}


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """``text`` up to the earliest stop string (excluded), and whether one was found.

    >>> cut_at_stop("Paris</answer> and more", ["</answer>"])
    ('Paris', True)
    """
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    if not cuts:
        return text, False
    return text[: min(cuts)], True
