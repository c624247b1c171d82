"""A user's own delta, named by a dotted path in tests (``custom_deltas:capped(max=2)``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capped:
    """The margin itself, capped at ``max`` (picklable: a frozen dataclass at module level)."""

    max: float

    def __call__(self, margin: float) -> float:
        return min(margin, self.max) if margin > 0 else 0.0


def capped(max: float = 1.0) -> Capped:
    return Capped(max)


def linear(margin: float) -> float:
    """A delta used as is (no parentheses in the spec)."""
    return margin


PI = 3.14159  # not callable: named with arguments, an error


def empty_text() -> str:
    """A factory that returns something that is not a delta."""
    return ""


class Family:
    """Deltas grouped in a class, named by a nested path (``custom_deltas:Family.linear``)."""

    linear = staticmethod(linear)
    capped = staticmethod(capped)
