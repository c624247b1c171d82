"""MicroBatcher: each caller gets its own results for any arrival pattern and batch size; bounds,
timeouts, cancellation and failure isolation."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.errors import BatcherClosedError, BatchFailedError, JudgeTimeoutError, QueueFullError
from patarm.serve._batcher import BatchReport, MicroBatcher

Item = tuple[int, int]


class Recorder:
    """A backend that tags each item and records the batches it saw (thread-safe)."""

    def __init__(self, delay_s: float = 0.0, poison: set[int] | None = None) -> None:
        self.batches: list[list[Item]] = []
        self.delay_s = delay_s
        self.poison = poison or set()
        self.lock = threading.Lock()

    def __call__(self, items: list[Item]) -> list[str]:
        with self.lock:
            self.batches.append(list(items))
        if self.delay_s:
            time.sleep(self.delay_s)
        if any(request in self.poison for request, _ in items):
            raise RuntimeError("poisoned batch")
        return [f"r{request}.{j}" for request, j in items]


async def _with(batcher: MicroBatcher[Any, Any], body: Callable[[], Awaitable[Any]]) -> Any:
    await batcher.start()
    try:
        return await body()
    finally:
        await batcher.close()


@settings(max_examples=80, deadline=None)
@given(
    arrivals=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 9)), min_size=1, max_size=14),
    max_batch=st.integers(1, 8),
    max_wait_ms=st.integers(0, 3),
    workers=st.integers(1, 3),
)
def test_every_caller_gets_exactly_its_own_results(
    arrivals: list[tuple[int, int]], max_batch: int, max_wait_ms: int, workers: int
) -> None:
    backend = Recorder()
    reports: list[BatchReport] = []
    batcher: MicroBatcher[Item, str] = MicroBatcher(
        backend, max_batch_size=max_batch, max_wait_s=max_wait_ms / 1000, workers=workers, on_batch=reports.append
    )

    async def caller(index: int, delay_ms: int, count: int) -> list[str]:
        await asyncio.sleep(delay_ms / 1000)
        return await batcher.submit([(index, j) for j in range(count)])

    async def body() -> list[list[str]]:
        return list(await asyncio.gather(*(caller(i, d, n) for i, (d, n) in enumerate(arrivals))))

    results = asyncio.run(_with(batcher, body))
    assert results == [[f"r{i}.{j}" for j in range(n)] for i, (_, n) in enumerate(arrivals)]
    seen = Counter(item for batch in backend.batches for item in batch)
    assert seen == Counter((i, j) for i, (_, n) in enumerate(arrivals) for j in range(n))  # none lost, none twice
    assert all(1 <= len(batch) <= max_batch for batch in backend.batches)
    assert sorted(r.size for r in reports) == sorted(len(b) for b in backend.batches)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 5), min_size=2, max_size=8),
    poisoned=st.sets(st.integers(0, 7), max_size=3),
    max_batch=st.integers(2, 12),
)
def test_a_failing_request_does_not_fail_its_neighbours(counts: list[int], poisoned: set[int], max_batch: int) -> None:
    backend = Recorder(poison=poisoned)
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=max_batch, max_wait_s=0.002)

    async def body() -> list[list[str] | BaseException]:
        calls = [batcher.submit([(i, j) for j in range(n)]) for i, n in enumerate(counts)]
        return list(await asyncio.gather(*calls, return_exceptions=True))

    results = asyncio.run(_with(batcher, body))
    for i, (n, result) in enumerate(zip(counts, results, strict=True)):
        if i in poisoned:
            assert isinstance(result, BatchFailedError) and "poisoned batch" in str(result)
        else:
            assert result == [f"r{i}.{j}" for j in range(n)]


def test_batches_form_under_concurrency() -> None:
    backend = Recorder(delay_s=0.01)
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=16, max_wait_s=0.005)

    async def body() -> list[list[str]]:
        return list(await asyncio.gather(*(batcher.submit([(i, 0)]) for i in range(64))))

    results = asyncio.run(_with(batcher, body))
    assert results == [[f"r{i}.0"] for i in range(64)]
    assert max(len(b) for b in backend.batches) == 16
    assert len(backend.batches) <= 8


def test_large_request_is_split_across_batches() -> None:
    backend = Recorder()
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=4, max_wait_s=0)

    async def body() -> list[str]:
        return await batcher.submit([(0, j) for j in range(10)])

    assert asyncio.run(_with(batcher, body)) == [f"r0.{j}" for j in range(10)]
    assert [len(b) for b in backend.batches] == [4, 4, 2]


def test_queue_full_then_recovers() -> None:
    backend = Recorder(delay_s=0.2)
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=1, max_wait_s=0, max_queue=3)

    async def body() -> tuple[list[list[str] | BaseException], list[str]]:
        first = asyncio.ensure_future(batcher.submit([(0, 0)]))
        await asyncio.sleep(0.05)  # (0, 0) is running; the queue is empty
        waiting = [asyncio.ensure_future(batcher.submit([(i, 0)])) for i in (1, 2, 3)]
        await asyncio.sleep(0)
        assert batcher.queued == 3
        with pytest.raises(QueueFullError, match="3 of 3 items waiting"):
            await batcher.submit([(9, 0)])
        done = list(await asyncio.gather(first, *waiting, return_exceptions=True))
        return done, await batcher.submit([(4, 0)])

    done, later = asyncio.run(_with(batcher, body))
    assert done == [["r0.0"], ["r1.0"], ["r2.0"], ["r3.0"]]
    assert later == ["r4.0"]


def test_timeout_drops_waiting_items() -> None:
    backend = Recorder(delay_s=0.3)
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=1, max_wait_s=0)

    async def body() -> list[str]:
        running = asyncio.ensure_future(batcher.submit([(0, 0)], timeout=0.1))
        await asyncio.sleep(0.02)
        with pytest.raises(JudgeTimeoutError, match="still waiting in the queue") as waiting:
            await batcher.submit([(1, 0)], timeout=0.05)
        assert not waiting.value.started and batcher.queued == 0
        with pytest.raises(JudgeTimeoutError, match="still judging"):
            await running
        return await batcher.submit([(2, 0)], timeout=2)

    assert asyncio.run(_with(batcher, body)) == ["r2.0"]
    assert [b[0][0] for b in backend.batches] == [0, 2]  # request 1 timed out in the queue: never judged


def test_cancelled_caller_is_forgotten() -> None:
    backend = Recorder(delay_s=0.1)
    batcher: MicroBatcher[Item, str] = MicroBatcher(backend, max_batch_size=1, max_wait_s=0)

    async def body() -> list[str]:
        first = asyncio.ensure_future(batcher.submit([(0, 0)]))
        await asyncio.sleep(0.02)
        gone = asyncio.ensure_future(batcher.submit([(1, 0)]))
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.sleep(0)
        assert batcher.queued == 0
        await first
        return await batcher.submit([(2, 0)])

    assert asyncio.run(_with(batcher, body)) == ["r2.0"]
    assert [b[0][0] for b in backend.batches] == [0, 2]


def test_wrong_result_count_is_a_batch_failure() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: items[:-1], max_batch_size=4)

    async def body() -> None:
        await batcher.start()
        try:
            with pytest.raises(BatchFailedError, match="returned 1 results for 2 items"):
                await batcher.submit([1, 2])
        finally:
            await batcher.close()

    asyncio.run(body())


def test_closed_batcher_refuses_and_fails_waiting_callers() -> None:
    release = threading.Event()
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: release.wait(2) and items, max_batch_size=1)

    async def body() -> None:
        with pytest.raises(BatcherClosedError):
            await batcher.submit([1])
        await batcher.start()
        running = asyncio.ensure_future(batcher.submit([1]))
        await asyncio.sleep(0.02)
        waiting = asyncio.ensure_future(batcher.submit([2]))
        await asyncio.sleep(0.01)
        await batcher.close()
        release.set()
        for job in (running, waiting):
            with pytest.raises(BatcherClosedError, match="shutting down"):
                await job

    asyncio.run(body())


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="must be >= 1"):
        MicroBatcher(lambda items: items, max_batch_size=0)
