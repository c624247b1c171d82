"""The demo's synthetic preference task: short "reviews" made of good and bad words.

A response is a bag of words; the chosen response of a pair holds one or two more good
words than the rejected one. Nothing else marks it: a judge that sees one response at a
time can only rank pairs well by learning that good words raise the score. The pairs
carry no score, only which side was preferred.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from patarm.errors import InputError
from patarm.rubrics import Rubric, RubricSet
from patarm.types import PreferencePair

__all__ = ["DEMO_DOMAIN", "DEMO_RUBRIC", "GOOD_WORDS", "BAD_WORDS", "DemoTask", "demo_rubrics", "flip_labels"]

GOOD_WORDS = ("bright", "clear", "kind", "true", "warm", "sharp")
BAD_WORDS = ("dull", "vague", "rude", "false", "cold", "slow")
DEMO_DOMAIN = "demo"
DEMO_RUBRIC = Rubric(DEMO_DOMAIN, "Quality: the more good words, the better.", "Synthetic task of the CPU demo.")


def demo_rubrics() -> RubricSet:
    """The built-in rubrics with :data:`DEMO_RUBRIC` registered for :data:`DEMO_DOMAIN`.

    >>> demo_rubrics().get(DEMO_DOMAIN).criteria
    'Quality: the more good words, the better.'
    """
    rubrics = RubricSet()
    rubrics.register(DEMO_RUBRIC)
    return rubrics


@dataclass(frozen=True)
class DemoTask:
    """Deterministic pair generator: ``length`` words per response."""

    length: int = 6

    def response(self, rng: random.Random, good: int) -> str:
        words = [rng.choice(GOOD_WORDS) for _ in range(good)]
        words += [rng.choice(BAD_WORDS) for _ in range(self.length - good)]
        rng.shuffle(words)
        return " ".join(words)

    def pairs(self, count: int, seed: int, prefix: str = "demo") -> list[PreferencePair]:
        """``count`` pairs; the chosen side has 1 or 2 more good words than the rejected side."""
        rng = random.Random(seed)
        out = []
        for i in range(count):
            gap = rng.choice((1, 2))
            low = rng.randint(0, self.length - gap)
            out.append(
                PreferencePair(
                    pair_id=f"{prefix}-{i}",
                    prompt="Rate this review.",
                    chosen=self.response(rng, low + gap),
                    rejected=self.response(rng, low),
                    domain=DEMO_DOMAIN,
                    source="patarm-demo",
                )
            )
        return out


def flip_labels(pairs: list[PreferencePair], fraction: float, seed: int) -> tuple[list[PreferencePair], int]:
    """Swap chosen and rejected on round(fraction x n) pairs drawn from ``seed``."""
    if not 0 <= fraction <= 1:
        raise InputError(f"label noise must be a fraction in [0, 1], got {fraction}")
    count = round(fraction * len(pairs))
    flipped = set(random.Random(seed).sample(range(len(pairs)), count))
    out = [
        p.model_copy(update={"chosen": p.rejected, "rejected": p.chosen}) if i in flipped else p
        for i, p in enumerate(pairs)
    ]
    return out, count
