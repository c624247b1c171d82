"""Adversarial text for the linear-time tests: alphabets that provoke backtracking and
look-alike tags, and a time bound that fails fast instead of hanging on a quadratic path."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

TAG_NAMES = ["answer", "think", "criteria", "rationale", "prompt", "response", "response_a"]
IGNORABLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\U000e0061"]
LOOKALIKES = ["\uff1c", "\uff1e", "\ufe64", "\ufe65", "\uff0f", "\uff41", "\U0001d41a", "\u33cc", "\u017f", "\u212a"]
OTHER_DIGITS = ["\uff17", "\u0667", "\u06f7", "\u0967", "\u09ed", "\U0001d7d5", "\u00b2"]
PIECES = [
    "<", "/", ">", " ", "\n", "\r\n", "\t", "\u00a0", "\u3000", ";", "$", "1", "7", "x", "X",
    *TAG_NAMES, "ANSWER", "Think", "</think>", "<think>", "<answer>", "</answer>", "def ", "function",
    "python", "solve", "at least ", "exactly ", *IGNORABLES, *LOOKALIKES, *OTHER_DIGITS,
]  # fmt: skip

adversarial_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
"""Concatenations of the pieces above: tags, their parts and look-alikes, runs of spaces and newlines."""

LIMIT_S = 5.0
"""The bound a 1 MB input must meet: far above the linear figures (milliseconds, see
benchmarks/bench_adversarial.py) and far below any quadratic path (minutes)."""

ONE_MB = 1_000_000


def repeat(unit: str, size: int = ONE_MB, prefix: str = "", suffix: str = "") -> str:
    """``prefix`` + ``unit`` repeated to ``size`` characters + ``suffix``."""
    return prefix + unit * max(1, size // len(unit)) + suffix


class TooSlowError(AssertionError):
    pass


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (regex matching checks for signals as it runs);
    outside the main thread, only measure."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise TooSlowError(f"still running after {seconds} s: not linear")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_fast(fn: Callable[[str], object], text: str, limit_s: float = LIMIT_S) -> float:
    """Run ``fn(text)``; fail if it takes ``limit_s`` or more. Returns the seconds taken."""
    start = time.perf_counter()
    with _deadline(limit_s * 2):
        fn(text)
    elapsed = time.perf_counter() - start
    assert elapsed < limit_s, f"{elapsed:.1f} s on {len(text):,} characters: not linear"
    return elapsed
