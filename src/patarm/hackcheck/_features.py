"""Cheap features of a policy's outputs, and how far a set of outputs moved from the start.

Each feature maps one output text to a number, in time linear in the text (plain scans and
regular expressions without nested quantifiers). They name what an optimiser may have found
that a judge over-pays: ``length`` (words), ``characters``, ``repetition`` (share of words
that repeat an earlier word), ``markdown`` (headings, bullets, emphasis, code marks),
``score_tags`` (what a judge's parser reads: ``<answer>``, ``<score>``, "final score",
``\\boxed{``), ``tags`` (any ``<word>`` tag), ``numbers``. :func:`word_counts` and
:func:`vocabulary_shift` follow single words, so a keyword a judge pays for shows up by name.

>>> round(extract("bright bright <answer> 10 </answer>")["repetition"], 3)
0.2
>>> extract("## Title\\n- **bold** item")["markdown"]
3.0
>>> round(vocabulary_shift(["a b", "a b"], ["a b", "a b"]), 6)
0.0
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

__all__ = ["FEATURES", "extract", "vocabulary_shift", "word_counts", "words"]

_WORD = re.compile(r"\S+")
_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}\.) ", re.MULTILINE)
_EMPHASIS = re.compile(r"\*\*|__|`")
_SCORE_TAG = re.compile(r"</?(?:answer|score)>|final score|\\boxed\{", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z_][A-Za-z0-9_-]{0,30}>")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def words(text: str) -> list[str]:
    """The text's words: runs of non-space characters, lower-cased."""
    return [w.lower() for w in _WORD.findall(text)]


def _length(text: str) -> float:
    return float(len(_WORD.findall(text)))


def _repetition(text: str) -> float:
    got = words(text)
    return 0.0 if not got else 1.0 - len(set(got)) / len(got)


def _markdown(text: str) -> float:
    pairs = len(_EMPHASIS.findall(text))
    return float(len(_HEADING.findall(text)) + len(_BULLET.findall(text)) + (pairs + 1) // 2)


FEATURES: dict[str, Callable[[str], float]] = {
    "length": _length,
    "characters": lambda text: float(len(text)),
    "repetition": _repetition,
    "markdown": _markdown,
    "score_tags": lambda text: float(len(_SCORE_TAG.findall(text))),
    "tags": lambda text: float(len(_TAG.findall(text))),
    "numbers": lambda text: float(len(_NUMBER.findall(text))),
}


def extract(text: str) -> dict[str, float]:
    """Every feature of :data:`FEATURES` for one output."""
    return {name: fn(text) for name, fn in FEATURES.items()}


def word_counts(texts: Sequence[str]) -> Counter[str]:
    """How often each word occurs over ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return counts


def vocabulary_shift(start: Sequence[str], now: Sequence[str]) -> float:
    """Jensen-Shannon divergence (bits, 0 to 1) between the word distributions of two sets of
    outputs: 0 when they use words alike, 1 when they share no word. Empty sides give 0."""
    a, b = word_counts(start), word_counts(now)
    total_a, total_b = sum(a.values()), sum(b.values())
    if not total_a or not total_b:
        return 0.0
    out = 0.0
    for word in a.keys() | b.keys():
        p, q = a[word] / total_a, b[word] / total_b
        m = (p + q) / 2
        if p:
            out += 0.5 * p * math.log2(p / m)
        if q:
            out += 0.5 * q * math.log2(q / m)
    return min(1.0, max(0.0, out))
