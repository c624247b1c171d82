"""Which of several OpenAI-compatible replicas gets the next request, and which are resting.

A judge for a large policy run is often several vLLM servers on several nodes. The
:class:`ReplicaPicker` spreads requests over them and routes around a dead one; it holds no
network and no clock of its own (``now`` is passed in), so the choice is a pure function of its
state and is property-tested.

- Routing: least outstanding requests. The next request goes to a replica with the fewest
  requests in flight; among equals, the first at or after a round-robin cursor (so equal replicas
  take turns).
- Resting: a replica whose attempt failed (connection error, 5xx, timeout) rests for
  ``cooldown_s``, doubled on each failure in a row (failures while it already rests, of attempts
  sent before, do not count) (at most ``max_cooldown_s``), and back to
  ``cooldown_s`` after a success. A resting replica is never picked while a live one exists; when
  all rest, the one whose rest ends first is picked rather than failing the request.
- ``avoid``: a replica to pass over when another live one exists (the one a request just failed
  on, so its retry goes elsewhere).

>>> picker = ReplicaPicker(3, cooldown_s=1.0)
>>> [picker.start(picker.pick(now=0.0)) for _ in range(4)]
[0, 1, 2, 0]
>>> picker.finish(1, ok=False, now=0.0)  # replica 1 failed: it rests until t=1
>>> picker.pick(now=0.5), picker.pick(now=1.5)
(2, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from patarm.errors import ConfigError

__all__ = ["ReplicaPicker", "ReplicaStats"]


@dataclass(frozen=True)
class ReplicaStats:
    """One replica's counters: attempts sent, attempts failed (connection error, 5xx, timeout),
    attempts in flight now, times put to rest, and whether it is resting now. ``url`` is redacted."""

    url: str
    requests: int
    failures: int
    in_flight: int
    rested: int
    resting: bool

    def line(self) -> str:
        """A one-line summary for a command's run summary."""
        state = ", resting now" if self.resting else ""
        return (
            f"{self.url}: {self.requests} requests, {self.failures} failed, {self.in_flight} in flight, "
            f"rested {self.rested}x{state}"
        )


class ReplicaPicker:
    """Least-outstanding routing with round-robin ties over ``count`` replicas, and their rests.

    Not thread-safe by itself: the caller holds one lock around :meth:`pick` + :meth:`start` and
    around :meth:`finish`."""

    def __init__(self, count: int, *, cooldown_s: float = 1.0, max_cooldown_s: float = 60.0) -> None:
        if count < 1:
            raise ConfigError(f"need at least one replica, got {count}")
        if cooldown_s < 0 or max_cooldown_s < cooldown_s:
            raise ConfigError(f"need 0 <= cooldown_s <= max_cooldown_s, got {cooldown_s} and {max_cooldown_s}")
        self.count = count
        self.cooldown_s = cooldown_s
        self.max_cooldown_s = max_cooldown_s
        self.in_flight = [0] * count
        self.rest_until = [0.0] * count
        self.streak = [0] * count  # failures in a row
        self.requests = [0] * count
        self.failures = [0] * count
        self.rested = [0] * count
        self._cursor = 0

    def resting(self, index: int, now: float) -> bool:
        """Whether replica ``index`` is resting at time ``now``."""
        return self.rest_until[index] > now

    def pick(self, now: float, avoid: int | None = None) -> int:
        """The replica for the next attempt (see the module docstring); moves the round-robin cursor."""
        choice = choose(self.in_flight, self.rest_until, now, self._cursor, avoid)
        self._cursor = (choice + 1) % self.count
        return choice

    def start(self, index: int) -> int:
        """An attempt is sent to ``index``: count it in flight. Returns ``index``."""
        self.in_flight[index] += 1
        self.requests[index] += 1
        return index

    def finish(self, index: int, ok: bool | None, now: float) -> None:
        """The attempt on ``index`` ended: ``ok=True`` a success (its rest resets), ``False`` a
        replica failure (it rests, twice as long as last time if it failed last time too),
        ``None`` neither (a client error or a cancelled attempt: nothing said about the replica).
        Failures of attempts still in flight when the replica was put to rest count as failures
        but neither lengthen nor double the rest (a replica that dies with ten requests in flight
        rests once, not ten times)."""
        self.in_flight[index] -= 1
        if ok is True:
            self.streak[index] = 0
        elif ok is False:
            self.failures[index] += 1
            if self.resting(index, now):
                return  # an attempt sent before the rest began: the rest already answers for it
            self.streak[index] += 1
            rest = min(self.cooldown_s * 2.0 ** (self.streak[index] - 1), self.max_cooldown_s)
            self.rest_until[index] = max(self.rest_until[index], now + rest)
            self.rested[index] += 1

    def any_live_besides(self, index: int, now: float) -> bool:
        """Whether a replica other than ``index`` is not resting at ``now`` (a retry can go there at once)."""
        return any(i != index and not self.resting(i, now) for i in range(self.count))

    def reset_counts(self) -> None:
        """Zero requests, failures and rests (in-flight counts and rest times stay: they are state)."""
        self.requests = [0] * self.count
        self.failures = [0] * self.count
        self.rested = [0] * self.count

    def stats(self, urls: Sequence[str], now: float) -> list[ReplicaStats]:
        """One :class:`ReplicaStats` per replica, named by ``urls`` (already redacted)."""
        return [
            ReplicaStats(
                urls[i], self.requests[i], self.failures[i], self.in_flight[i], self.rested[i], self.resting(i, now)
            )
            for i in range(self.count)
        ]


def choose(
    in_flight: Sequence[int], rest_until: Sequence[float], now: float, cursor: int = 0, avoid: int | None = None
) -> int:
    """The index least-outstanding routing picks: among live replicas (``rest_until <= now``), other
    than ``avoid`` when another is live, one with the fewest ``in_flight``, ties broken by the
    first at or after ``cursor``; with none live, the one whose rest ends first.

    >>> choose([2, 1, 1], [0.0, 0.0, 0.0], now=0.0, cursor=2)
    2
    >>> choose([0, 0], [5.0, 3.0], now=1.0)
    1
    """
    count = len(in_flight)
    order = [(cursor + k) % count for k in range(count)]
    live = [i for i in order if rest_until[i] <= now]
    if not live:
        return min(order, key=lambda i: rest_until[i])
    if avoid is not None and len(live) > 1:
        live = [i for i in live if i != avoid]
    return min(live, key=lambda i: in_flight[i])
