"""The one retry policy for every HTTP client in patarm (the OpenAI-compatible backend and the
judge-server client), sync and async: which failures are retried, how long to wait, when to stop.

- Retried: connection errors, timeouts, and the statuses in ``statuses`` (default 408, 429, 500,
  502, 503, 504: rate limits, overload, restarts). Anything else fails at once.
- Waiting: the server's ``Retry-After`` (seconds or an HTTP date) when it sends one, else
  ``backoff_s * 2**(attempt-1)`` plus up to ``jitter`` of that again (random, so many clients
  spread out); each wait is capped at ``max_delay_s``.
- Stopping: after ``max_retries`` retries, or when the next attempt could not start before the
  overall ``deadline_s`` (counted from the first attempt; ``None``: no deadline). Each attempt is
  told the seconds left so it can bound its own timeout; the async loop also cancels an attempt
  at the deadline.

Why our own ~100 lines rather than tenacity or stamina: both retry sync and async code and stop at
a deadline, but neither reads ``Retry-After`` out of the box (tenacity needs a custom wait that
reaches into the exception; stamina offers only its own backoff), neither bounds the attempt in
flight by the time left, and the policy lives in the core, which stays free of extra dependencies.

>>> policy = RetryPolicy(max_retries=2, backoff_s=0.01, jitter=0.0)
>>> calls = []
>>> def attempt(remaining):
...     calls.append(remaining)
...     if len(calls) < 3:
...         raise Retry("HTTP 503", retry_after=0.0)
...     return "ok"
>>> retry_call(policy, attempt), len(calls)
('ok', 3)
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from patarm._secrets import redact
from patarm.errors import ConfigError

__all__ = ["Retry", "RetryPolicy", "RetryState", "RetriesExhausted", "aretry_call", "retry_after", "retry_call"]

T = TypeVar("T")
logger = logging.getLogger("patarm.retry")


class Retry(Exception):
    """Raised by an attempt that failed in a way worth retrying; ``retry_after``: the server's hint (s)."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


class RetriesExhausted(Exception):
    """Every allowed attempt failed (or the deadline came); ``last`` is the final :class:`Retry`.

    The message masks credentials (see :func:`patarm._secrets.redact`); ``last.reason`` is as raised.
    """

    def __init__(self, last: Retry, attempts: int, deadline: bool) -> None:
        why = "the deadline came" if deadline else "retries used up"
        # The reason may quote a server's reply or a URL: credentials in it are masked.
        super().__init__(f"{redact(last.reason)} after {attempts} attempt{'s' if attempts > 1 else ''} ({why})")
        self.last = last
        self.attempts = attempts
        self.deadline = deadline


@dataclass(frozen=True)
class RetryPolicy:
    """Retryable statuses, backoff with jitter, Retry-After, a cap per wait and an overall deadline."""

    max_retries: int = 4
    backoff_s: float = 0.5
    jitter: float = 0.5
    max_delay_s: float = 60.0
    deadline_s: float | None = None
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({408, 429, 500, 502, 503, 504}))

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.backoff_s < 0 or self.jitter < 0 or self.max_delay_s < 0:
            raise ConfigError("backoff_s, jitter and max_delay_s must be >= 0")
        if self.deadline_s is not None and self.deadline_s <= 0:
            raise ConfigError(f"deadline_s must be > 0 (or None), got {self.deadline_s}")

    def retryable(self, status: int) -> bool:
        """Whether an answer with ``status`` is worth another attempt."""
        return status in self.statuses

    def delay(self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based).

        >>> RetryPolicy(backoff_s=0.5, jitter=0.0).delay(3), RetryPolicy().delay(1, retry_after=1e6)
        (2.0, 60.0)
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        base = self.backoff_s * 2.0 ** (attempt - 1)
        spread = (rng or random).random() * self.jitter if self.jitter else 0.0
        return min(base * (1.0 + spread), self.max_delay_s)


class RetryState:
    """One call's progress through a policy: attempts made, time left, the next wait or the end."""

    def __init__(self, policy: RetryPolicy, rng: random.Random | None = None) -> None:
        self.policy = policy
        self.rng = rng
        self.attempts = 0
        self.started = time.monotonic()

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        if self.policy.deadline_s is None:
            return None
        return max(self.policy.deadline_s - (time.monotonic() - self.started), 0.0)

    def after_failure(self, failure: Retry) -> float:
        """The wait before the next attempt, or :class:`RetriesExhausted` when there is none."""
        if self.attempts > self.policy.max_retries:
            raise RetriesExhausted(failure, self.attempts, deadline=False) from failure
        wait = self.policy.delay(self.attempts, failure.retry_after, self.rng)
        left = self.remaining()
        if left is not None and wait >= left:
            raise RetriesExhausted(failure, self.attempts, deadline=True) from failure
        return wait


def retry_call(
    policy: RetryPolicy,
    attempt: Callable[[float | None], T],
    *,
    rng: random.Random | None = None,
    on_retry: Callable[[Retry, float, int], None] | None = None,
) -> T:
    """``attempt(seconds_left)`` until it returns; it raises :class:`Retry` for transient failures.

    Raises :class:`RetriesExhausted` when the policy allows no more attempts. ``on_retry(failure,
    wait, next_attempt)`` is called before each wait (for counters and logs).
    """
    state = RetryState(policy, rng)
    while True:
        state.attempts += 1
        try:
            return attempt(state.remaining())
        except Retry as failure:
            wait = state.after_failure(failure)
            if on_retry is not None:
                on_retry(failure, wait, state.attempts + 1)
            time.sleep(wait)


async def aretry_call(
    policy: RetryPolicy,
    attempt: Callable[[float | None], Awaitable[T]],
    *,
    rng: random.Random | None = None,
    on_retry: Callable[[Retry, float, int], None] | None = None,
) -> T:
    """:func:`retry_call` for coroutines; an attempt still running at the deadline is cancelled."""
    state = RetryState(policy, rng)
    while True:
        state.attempts += 1
        left = state.remaining()
        try:
            try:
                return await asyncio.wait_for(attempt(left), left)
            except asyncio.TimeoutError:
                if left is None:
                    raise
                raise Retry(f"no answer before the {policy.deadline_s:g} s deadline") from None
        except Retry as failure:
            wait = state.after_failure(failure)
            if on_retry is not None:
                on_retry(failure, wait, state.attempts + 1)
            await asyncio.sleep(wait)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds (a number or an HTTP date), or None.

    >>> retry_after({"retry-after": "2"}), retry_after({}), retry_after({"retry-after": "soon"})
    (2.0, None, None)
    """
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
