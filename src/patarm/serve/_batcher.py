"""Dynamic micro-batching: the items of concurrent requests joined into backend batches.

Each request's items wait in one bounded queue. A collector takes up to ``max_batch_size`` items
(splitting a large request across batches when needed) as soon as the queue holds that many, or
``max_wait_s`` after the oldest waiting item arrived, and hands the batch to ``fn`` in a worker
thread, so the event loop stays free while the backend works. While all ``workers`` are busy,
arrivals pile up and the next batch is fuller: batching adapts to load by itself.

Guarantees (property-tested): every caller gets exactly its own results, in its own order; no
item is judged twice or lost; no batch is larger than ``max_batch_size``. A caller that times out
or goes away has its waiting items removed; results of its items already in a running batch are
dropped. When a batch with several requests fails, each request is retried alone
(``isolate_failures``), so one bad request does not fail its neighbours.

>>> import asyncio
>>> async def demo():
...     batcher = MicroBatcher(lambda items: [x * 10 for x in items], max_batch_size=4, max_wait_s=0.01)
...     await batcher.start()
...     results = await asyncio.gather(batcher.submit([1, 2]), batcher.submit([3]))
...     await batcher.close()
...     return results
>>> asyncio.run(demo())
[[10, 20], [30]]
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from patarm.errors import (  # noqa: F401  (defined in patarm.errors, re-exported here)
    BatcherClosedError,
    BatchFailedError,
    InputError,
    JudgeTimeoutError,
    PatarmError,
    QueueFullError,
)

__all__ = [
    "BatchFailedError",
    "BatchReport",
    "BatcherClosedError",
    "JudgeTimeoutError",
    "MicroBatcher",
    "QueueFullError",
]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BatchReport:
    """One backend call: items, requests they came from, seconds in the backend, success."""

    size: int
    requests: int
    seconds: float
    ok: bool
    isolated: bool


@dataclass(eq=False)
class _Request(Generic[T, R]):
    items: list[T]
    future: asyncio.Future[list[R]]
    arrived: float
    results: list[R | None] = field(default_factory=list)
    left: int = 0
    started: bool = False
    dropped: bool = False


@dataclass(eq=False)
class _Part(Generic[T, R]):
    request: _Request[T, R]
    start: int
    end: int


Outcome = list[R] | BaseException


class MicroBatcher(Generic[T, R]):
    """Joins concurrent :meth:`submit` calls into calls of ``fn(items) -> results`` (one result per item)."""

    def __init__(
        self,
        fn: Callable[[list[T]], list[R]],
        *,
        max_batch_size: int = 32,
        max_wait_s: float = 0.01,
        max_queue: int = 4096,
        workers: int = 1,
        isolate_failures: bool = True,
        on_batch: Callable[[BatchReport], None] | None = None,
    ) -> None:
        if max_batch_size < 1 or max_queue < 1 or workers < 1 or max_wait_s < 0:
            raise InputError("max_batch_size, max_queue and workers must be >= 1 and max_wait_s >= 0")
        self.fn = fn
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self.workers = workers
        self.isolate_failures = isolate_failures
        self.on_batch = on_batch
        self._queue: deque[_Part[T, R]] = deque()
        self._queued = 0
        self._running: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._collector: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._arrived: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._closed = False
        self._progress = time.monotonic()

    # -- state -----------------------------------------------------------------------------

    @property
    def queued(self) -> int:
        """Items waiting for a batch."""
        return self._queued

    @property
    def running(self) -> int:
        """Backend calls in progress."""
        return len(self._running)

    def oldest_running_s(self) -> float:
        """How long the oldest backend call in progress has run (0 when none)."""
        now = time.monotonic()
        return max((now - t for t in self._running.values()), default=0.0)

    def stalled_s(self) -> float:
        """Seconds the backend has made no progress while work waited or ran (0 when idle).

        Progress is a finished backend call; the clock starts when work arrives at an idle batcher.
        """
        if not self._queued and not self._running:
            return 0.0
        return time.monotonic() - self._progress

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start collecting (inside the event loop that will call :meth:`submit`)."""
        if self._collector is not None:
            return
        self._closed = False
        self._arrived = asyncio.Event()
        self._slots = asyncio.Semaphore(self.workers)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="patarm-judge")
        self._collector = asyncio.get_running_loop().create_task(self._collect())

    async def close(self) -> None:
        """Stop: waiting requests fail with :class:`BatcherClosedError`; running backend calls are
        left to finish in their threads, their results dropped."""
        self._closed = True
        if self._collector is not None:
            self._collector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._collector
            self._collector = None
        for part in self._queue:
            self._fail(part.request, BatcherClosedError("the judge server is shutting down"))
        self._queue.clear()
        self._queued = 0
        for task in list(self._tasks):
            task.cancel()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # -- submitting ------------------------------------------------------------------------

    async def submit(self, items: Sequence[T], *, timeout: float | None = None) -> list[R]:
        """Results for ``items``, in order, once their batches have run.

        Raises :class:`QueueFullError` when the queue cannot take them, :class:`JudgeTimeoutError`
        after ``timeout`` seconds, :class:`BatchFailedError` when the backend raised on them.
        """
        if self._closed or self._collector is None or self._arrived is None:
            raise BatcherClosedError("the batcher is not running")
        items = list(items)
        if not items:
            return []
        if self._queued + len(items) > self.max_queue:
            raise QueueFullError(
                f"the judge queue is full ({self._queued} of {self.max_queue} items waiting, {len(items)} more asked)"
            )
        loop = asyncio.get_running_loop()
        request: _Request[T, R] = _Request(items, loop.create_future(), loop.time(), [None] * len(items), len(items))
        if not self._queued and not self._running:
            self._progress = time.monotonic()
        self._queue.append(_Part(request, 0, len(items)))
        self._queued += len(items)
        self._arrived.set()
        try:
            return await asyncio.wait_for(asyncio.shield(request.future), timeout)
        except asyncio.TimeoutError:
            self._drop(request)
            where = "judging" if request.started else "waiting in the queue"
            raise JudgeTimeoutError(
                f"the judge did not answer within {timeout:g} s (still {where}); the request was dropped",
                request.started,
            ) from None
        except BaseException:
            self._drop(request)
            raise

    def _drop(self, request: _Request[T, R]) -> None:
        """Forget a request whose caller is gone: remove its waiting items, ignore its results."""
        request.dropped = True
        if request.future.done() and not request.future.cancelled():
            request.future.exception()  # retrieved: no "never retrieved" warning
        if any(p.request is request for p in self._queue):
            kept = deque(p for p in self._queue if p.request is not request)
            self._queued = sum(p.end - p.start for p in kept)
            self._queue = kept

    def _fail(self, request: _Request[T, R], error: BaseException) -> None:
        if not request.dropped and not request.future.done():
            request.future.set_exception(error)
        self._drop(request)

    # -- collecting and running ------------------------------------------------------------

    async def _collect(self) -> None:
        assert self._slots is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._slots.acquire()
            try:
                batch = await self._next_batch()
            except BaseException:
                self._slots.release()
                raise
            task = loop.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _next_batch(self) -> list[_Part[T, R]]:
        assert self._arrived is not None
        loop = asyncio.get_running_loop()
        while True:
            while not self._queue:
                self._arrived.clear()
                await self._arrived.wait()
            deadline = self._queue[0].request.arrived + self.max_wait_s
            while self._queue and self._queued < self.max_batch_size:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._arrived.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), remaining)
            if self._queue:
                return self._take()

    def _take(self) -> list[_Part[T, R]]:
        batch: list[_Part[T, R]] = []
        size = 0
        while self._queue and size < self.max_batch_size:
            part = self._queue[0]
            take = min(part.end - part.start, self.max_batch_size - size)
            if take == part.end - part.start:
                self._queue.popleft()
                batch.append(part)
            else:
                batch.append(_Part(part.request, part.start, part.start + take))
                part.start += take
            part.request.started = True
            size += take
        self._queued -= size
        return batch

    async def _run(self, batch: list[_Part[T, R]]) -> None:
        assert self._slots is not None and self._executor is not None
        loop = asyncio.get_running_loop()
        items = [item for part in batch for item in part.request.items[part.start : part.end]]
        key = id(batch)
        self._running[key] = time.monotonic()
        started = time.perf_counter()
        outcomes: list[Outcome[R]]
        try:
            outcomes, isolated = await loop.run_in_executor(self._executor, self._call, batch, items)
        except asyncio.CancelledError:  # closing: the thread finishes on its own, its results unused
            for part in batch:
                self._fail(part.request, BatcherClosedError("the judge server is shutting down"))
            raise
        except Exception as exc:  # the executor refused the call
            outcomes, isolated = [exc] * len(batch), False
        finally:
            del self._running[key]
            self._progress = time.monotonic()
            self._slots.release()
        seconds = time.perf_counter() - started
        ok = not any(isinstance(o, BaseException) for o in outcomes)
        if self.on_batch is not None:
            self.on_batch(BatchReport(len(items), len(batch), seconds, ok, isolated))
        for part, outcome in zip(batch, outcomes, strict=True):
            request = part.request
            if request.dropped or request.future.done():
                continue
            if isinstance(outcome, BaseException):
                error = BatchFailedError(f"the judge backend failed: {type(outcome).__name__}: {outcome}")
                error.__cause__ = outcome
                self._fail(request, error)
                continue
            request.results[part.start : part.end] = outcome
            request.left -= part.end - part.start
            if request.left == 0:
                request.future.set_result(cast("list[R]", request.results))

    def _call(self, batch: list[_Part[T, R]], items: list[T]) -> tuple[list[Outcome[R]], bool]:
        """In a worker thread: the whole batch, else (isolating) each request's part alone."""
        try:
            results = self._checked(items)
        except Exception as exc:
            if not self.isolate_failures or len(batch) == 1:
                return [exc] * len(batch), False
        else:
            out: list[Outcome[R]] = []
            offset = 0
            for part in batch:
                size = part.end - part.start
                out.append(results[offset : offset + size])
                offset += size
            return out, False
        isolated: list[Outcome[R]] = []
        for part in batch:
            try:
                isolated.append(self._checked(part.request.items[part.start : part.end]))
            except Exception as exc:
                isolated.append(exc)
        return isolated, True

    def _checked(self, items: list[T]) -> list[R]:
        results = list(self.fn(items))
        if len(results) != len(items):
            raise InputError(f"the backend returned {len(results)} results for {len(items)} items")
        return results
