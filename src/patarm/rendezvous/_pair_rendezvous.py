"""A thread- and asyncio-safe pair rendezvous: submit one rollout, get its PAR + format
reward once the partner side is in, or the counted fallback after ``timeout_s``.

One object serves threads (:meth:`PairRendezvous.submit`, OpenRLHF runs ``reward_func``
in ``asyncio.to_thread``) and event loops (:meth:`PairRendezvous.asubmit`, verl's reward
loop), from any mix of threads and loops: waiters are ``concurrent.futures.Future`` s.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

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
        self._futures: dict[int, dict[Arrival, Future[RolloutReward]]] = {}  # by entry serial
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
        self, pair_id: Hashable, role: object, score: float | None, group: Hashable | None
    ) -> tuple[Arrival, Future[RolloutReward]]:
        future: Future[RolloutReward] = Future()
        with self._lock:
            arrival = self._book.add(pair_id, role, score, group)
            waiters = self._futures.setdefault(arrival.serial, {})
            waiters[arrival] = future
            self._wake(arrival.serial)
            self._log_progress()
        return arrival, future

    def _log_progress(self) -> None:
        """An INFO line every ``log_every`` resolved pairs (the stacks average no per-rollout info)."""
        resolved = self._book.resolved_pairs
        if self.log_every > 0 and resolved >= self._logged_pairs + self.log_every:
            self._logged_pairs = resolved
            logger.info("pair rendezvous: %s", _summary(self._book.stats()))

    def _wake(self, serial: int) -> None:
        """Hand the waiters of one entry their rewards if it has resolved (under the lock)."""
        waiters = self._futures.get(serial, {})
        done = []
        for arrival, future in waiters.items():
            reward = self._book.collect(arrival)
            if reward is None:
                continue
            done.append(arrival)
            future.set_result(reward)
        for arrival in done:
            del waiters[arrival]
        if not waiters:
            self._futures.pop(serial, None)

    def _give_up(self, arrival: Arrival, future: Future[RolloutReward]) -> RolloutReward:
        with self._lock:
            if future.done():
                return future.result()
            waiters = self._futures.get(arrival.serial, {})
            waiters.pop(arrival, None)
            if not waiters:
                self._futures.pop(arrival.serial, None)
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
        arrival, future = self._arrive(pair_id, role, score, group)
        try:
            return future.result(timeout=self.timeout_s if timeout_s is None else timeout_s)
        except FutureTimeout:
            return self._give_up(arrival, future)

    async def asubmit(
        self,
        pair_id: Hashable,
        role: object,
        score: float | None,
        group: Hashable | None = None,
        timeout_s: float | None = None,
    ) -> RolloutReward:
        """The same from a coroutine: waits without blocking the event loop."""
        arrival, future = self._arrive(pair_id, role, score, group)
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.timeout_s if timeout_s is None else timeout_s
            )
        except asyncio.TimeoutError:
            return self._give_up(arrival, future)


def _summary(stats: RendezvousStats) -> str:
    return (
        f"{stats.resolved_pairs} pairs resolved, {stats.timeouts} rollouts timed out, "
        f"{stats.extras} extra rollouts, {stats.open_entries} pairs waiting"
    )
