"""The argparse ``type`` of every real-valued option: a finite number, optionally in a range.

``float`` alone takes ``nan``, ``inf`` and ``-inf``: a ``--fallback-reward nan`` would make
every fallback a failed request, an ``inf`` the top reward of a malformed judgment, a
``--request-timeout inf`` a wait without end. Every float option of every command uses
:class:`finite_float`, so such a value is a usage error (exit 2, one line naming the option)
before anything starts.

>>> finite_float(low=0)("0.5"), finite_float()("-1e3")
(0.5, -1000.0)
>>> finite_float(low=0, low_open=True)("inf")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a finite number > 0, got 'inf'
"""

from __future__ import annotations

import argparse
import math

__all__ = ["finite_float"]


class finite_float:
    """An argparse ``type``: a finite float within ``[low, high]`` (a bound left out is open-ended;
    ``low_open`` / ``high_open`` exclude the bound itself)."""

    def __init__(
        self, low: float | None = None, high: float | None = None, *, low_open: bool = False, high_open: bool = False
    ) -> None:
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high:g}")
        self.expected = "a finite number" + (" " + " and ".join(parts) if parts else "")
        self.__name__ = self.expected  # argparse names the type in its message

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {self.expected}, got {text!r}") from None
        if not math.isfinite(value) or not self._in_range(value):
            raise argparse.ArgumentTypeError(f"expected {self.expected}, got {text!r}")
        return value

    def _in_range(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))
