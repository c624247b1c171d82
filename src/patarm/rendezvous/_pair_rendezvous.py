"""A thread- and asyncio-safe pair rendezvous: submit one rollout, get its PAR + format
reward once the partner side is in, or the counted fallback after ``timeout_s``.

One object serves threads (:meth:`PairRendezvous.submit`, OpenRLHF runs ``reward_func``
in ``asyncio.to_thread``) and event loops (:meth:`PairRendezvous.asubmit`, verl's reward
loop), from any mix of threads and loops: a waiting thread blocks on a lock, a waiting
coroutine on a future of its own loop, and each is woken once, when its pair resolves.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import weakref
from collections.abc import Hashable

from patarm.rendezvous._pair_book import Arrival, PairBook, RendezvousStats, RolloutReward
from patarm.rewards import PARSettings

__all__ = ["PairRendezvous"]

logger = logging.getLogger("patarm.rendezvous")


class PairRendezvous:
    """Meet the two sides of each pair; never hangs past ``settings.timeout_s``.

    >>> rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=5))
    >>> import threading
    >>> out = {}
    >>> t = threading.Thread(target=lambda: out.update(c=rv.submit("p1", "chosen", 8.0)))
    >>> t.start(); r = rv.submit("p1", "rejected", 3.0); t.join()
    >>> out["c"].reward, r.reward
    (1.0, 1.0)
    """

    def __init__(self, settings: PARSettings, log_every: int = 1000) -> None:
        self.settings = settings
        self.timeout_s = settings.timeout_s
        self._book = PairBook(settings)
        self._lock = threading.Lock()
        self._waiters: dict[int, list[tuple[Arrival, _Waiter]]] = {}  # by entry serial
        self._timeouts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopTimeouts] = (
            weakref.WeakKeyDictionary()
        )
        self.log_every = int(log_every)
        self._logged_pairs = 0

    @property
    def rollouts_per_side(self) -> int:
        return self._book.rollouts_per_side

    def stats(self) -> RendezvousStats:
        """A copy of the running counts (timeouts, extras, resolved pairs, open entries)."""
        with self._lock:
            return self._book.stats()

    def _arrive(
        self, pair_id: Hashable, role: object, score: float | None, group: Hashable | None, waiter: _Waiter
    ) -> tuple[Arrival, RolloutReward | None]:
        """Record the rollout; its reward now if this arrival resolved its pair, else ``waiter`` waits.

        Waiters are woken once, when their entry resolves (not on every arrival).
        """
        with self._lock:
            arrival = self._book.add(pair_id, role, score, group)
            reward = self._book.collect(arrival)
            if reward is None:
                self._waiters.setdefault(arrival.serial, []).append((arrival, waiter))
            else:
                self._wake(arrival.serial)
            if self.log_every > 0:
                self._log_progress()
        return arrival, reward

    def _log_progress(self) -> None:
        """An INFO line every ``log_every`` resolved pairs (the stacks average no per-rollout info)."""
        resolved = self._book.resolved_pairs
        if resolved >= self._logged_pairs + self.log_every:
            self._logged_pairs = resolved
            logger.info("pair rendezvous: %s", _summary(self._book.stats()))

    def _wake(self, serial: int) -> None:
        """Hand the waiters of a resolved entry their rewards (under the lock)."""
        for arrival, waiter in self._waiters.pop(serial, ()):
            reward = self._book.collect(arrival)
            assert reward is not None, "a resolved entry holds every waiter's reward"
            waiter.deliver(reward)

    def _give_up(self, arrival: Arrival, waiter: _Waiter) -> RolloutReward:
        with self._lock:
            if waiter.reward is not None:  # delivered while the timeout fired
                return waiter.reward
            waiters = self._waiters.get(arrival.serial)
            if waiters is not None:
                waiters.remove((arrival, waiter))
                if not waiters:
                    del self._waiters[arrival.serial]
            reward = self._book.give_up(arrival)
            timeouts = self._book.timeouts
            if reward.timed_out and (timeouts <= 10 or timeouts % 100 == 0):
                logger.warning(
                    "pair %r (%s side) got no partner within %.0f s: fallback reward %.3g; %s",
                    arrival.pair_id, arrival.role, self.timeout_s, reward.reward, _summary(self._book.stats()),
                )  # fmt: skip
            return reward

    def submit(
        self,
        pair_id: Hashable,
        role: object,
        score: float | None,
        group: Hashable | None = None,
        timeout_s: float | None = None,
    ) -> RolloutReward:
        """Blocking: this rollout's reward once its pair resolves, else the fallback."""
        waiter = _ThreadWaiter()
        arrival, reward = self._arrive(pair_id, role, score, group, waiter)
        if reward is not None:
            return reward
        if waiter.wait(self.timeout_s if timeout_s is None else timeout_s):
            assert waiter.reward is not None
            return waiter.reward
        return self._give_up(arrival, waiter)

    async def asubmit(
        self,
        pair_id: Hashable,
        role: object,
        score: float | None,
        group: Hashable | None = None,
        timeout_s: float | None = None,
    ) -> RolloutReward:
        """The same from a coroutine: waits without blocking the event loop.

        A cancelled call leaves the pair as a timed-out one does (counted), so that its
        entry is not held for ever.
        """
        loop = asyncio.get_running_loop()
        waiter = _LoopWaiter(loop)
        arrival, reward = self._arrive(pair_id, role, score, group, waiter)
        if reward is not None:
            return reward
        timeouts = self._timeouts.get(loop)
        if timeouts is None:
            with self._lock:
                timeouts = self._timeouts.setdefault(loop, _LoopTimeouts(loop))
        timeouts.add(waiter, self.timeout_s if timeout_s is None else timeout_s)
        try:
            delivered = await waiter.future
        except asyncio.CancelledError:
            self._give_up(arrival, waiter)
            raise
        return delivered if delivered is not None else self._give_up(arrival, waiter)


class _Waiter:
    """One waiting arrival; :meth:`deliver` is called once, under the rendezvous lock."""

    __slots__ = ("reward",)

    def __init__(self) -> None:
        self.reward: RolloutReward | None = None

    def deliver(self, reward: RolloutReward) -> None:
        self.reward = reward


class _ThreadWaiter(_Waiter):
    """A blocked thread: a lock taken at creation and released on delivery (as ``queue`` waits)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._lock.acquire()

    def deliver(self, reward: RolloutReward) -> None:
        self.reward = reward
        self._lock.release()

    def wait(self, timeout_s: float) -> bool:
        return self._lock.acquire(timeout=timeout_s)


class _LoopWaiter(_Waiter):
    """A coroutine on ``loop``: its future gets the reward, or None when the timeout fires first.

    Delivered directly from the loop's own thread, else through ``call_soon_threadsafe``.
    """

    __slots__ = ("_thread", "future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.future: asyncio.Future[RolloutReward | None] = loop.create_future()
        self._thread = threading.get_ident()

    def deliver(self, reward: RolloutReward) -> None:
        self.reward = reward
        if threading.get_ident() == self._thread:
            self._set(reward)
        else:
            self.loop.call_soon_threadsafe(self._set, reward)

    def expire(self) -> None:
        self._set(None)

    def _set(self, reward: RolloutReward | None) -> None:
        if not self.future.done():
            self.future.set_result(reward)


class _LoopTimeouts:
    """The deadlines of one loop's waiters under a single timer (one timer per waiter would
    cost more than the rest of a rollout's rendezvous). Used from the loop's thread only.

    Delivered waiters leave the heap lazily: when their deadline passes, or when they
    fill the heap to twice its size after the last rebuild (it is then rebuilt without
    them), so it stays linear in the waiting rollouts.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._heap: list[tuple[float, int, _LoopWaiter]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._compact_at = 64

    def add(self, waiter: _LoopWaiter, timeout_s: float) -> None:
        at = self.loop.time() + timeout_s
        if len(self._heap) >= self._compact_at:
            self._heap = [item for item in self._heap if not item[2].future.done()]
            heapq.heapify(self._heap)
            self._compact_at = max(64, 2 * len(self._heap))
        heapq.heappush(self._heap, (at, next(self._order), waiter))
        if self._timer is None or at < self._timer.when():
            self._schedule(at)

    def _schedule(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(at, self._fire)

    def _fire(self) -> None:
        self._timer = None
        now = self.loop.time()
        heap = self._heap
        while heap and (heap[0][0] <= now or heap[0][2].future.done()):
            heapq.heappop(heap)[2].expire()
        if heap:
            self._schedule(heap[0][0])


def _summary(stats: RendezvousStats) -> str:
    return (
        f"{stats.resolved_pairs} pairs resolved, {stats.timeouts} rollouts timed out, "
        f"{stats.extras} extra rollouts, {stats.open_entries} pairs waiting"
    )
