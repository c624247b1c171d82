"""Every way into the rendezvous (the bare book, coroutines on one loop, threads, and a mix
of a loop and threads) gives exactly the batch PAR of :func:`patarm.rewards.par_batch`."""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.rendezvous import PairBook, PairRendezvous
from patarm.rewards import FormatReward, GradedDelta, PARSettings, par_batch

score = st.one_of(st.none(), st.integers(1, 10).map(float), st.floats(1, 10, allow_nan=False))
Row = tuple[str, str, float | None]


@st.composite
def batches(draw: st.DrawFn) -> tuple[int, list[Row]]:
    n = draw(st.integers(1, 3))
    rows = [
        (f"p{p}", role, draw(score))
        for p in range(draw(st.integers(1, 5)))
        for role in ("chosen", "rejected")
        for _ in range(n)
    ]
    random.Random(draw(st.integers(0, 2**32 - 1))).shuffle(rows)
    return n, rows


DELTA, FORMAT = GradedDelta(1.0, 0.25, 2.0), FormatReward(malformed=-0.5, well_formed=0.125)


def _settings(n: int) -> PARSettings:
    return PARSettings(delta=DELTA, malformed=-0.5, well_formed=0.125, rollouts_per_side=n, timeout_s=60)


def _book(n: int, rows: list[Row]) -> list[float]:
    book = PairBook(_settings(n))
    tickets = [book.add(*row) for row in rows]
    return [book.collect(t).reward for t in tickets]  # type: ignore[union-attr]


def _loop(n: int, rows: list[Row]) -> list[float]:
    rv = PairRendezvous(_settings(n))

    async def main() -> list[float]:
        return [r.reward for r in await asyncio.gather(*(rv.asubmit(*row) for row in rows))]

    return asyncio.run(main())


def _threads(n: int, rows: list[Row]) -> list[float]:
    rv = PairRendezvous(_settings(n))
    with ThreadPoolExecutor(max_workers=len(rows)) as pool:
        return [f.result(timeout=120).reward for f in [pool.submit(rv.submit, *row) for row in rows]]


def _mixed(n: int, rows: list[Row]) -> list[float]:
    """Odd rows from threads, even rows from coroutines of a loop running in another thread."""
    rv = PairRendezvous(_settings(n))
    out: dict[int, float] = {}

    async def on_loop() -> None:
        got = await asyncio.gather(*(rv.asubmit(*rows[i]) for i in range(0, len(rows), 2)))
        out.update({i: r.reward for i, r in zip(range(0, len(rows), 2), got, strict=True)})

    loop_thread = threading.Thread(target=lambda: asyncio.run(on_loop()))
    loop_thread.start()
    odd = list(range(1, len(rows), 2))
    with ThreadPoolExecutor(max_workers=max(1, len(odd))) as pool:
        futures = {i: pool.submit(rv.submit, *rows[i]) for i in odd}
        out.update({i: f.result(timeout=120).reward for i, f in futures.items()})
    loop_thread.join(timeout=120)
    assert rv.stats().timeouts == 0
    return [out[i] for i in range(len(rows))]


@settings(max_examples=30, deadline=None)
@given(batches(), st.sampled_from([_book, _loop, _threads, _mixed]))
def test_every_path_gives_the_batch_rewards_exactly(batch: tuple[int, list[Row]], path) -> None:
    n, rows = batch
    want = par_batch([s for *_, s in rows], [p for p, *_ in rows], [r for _, r, _ in rows], DELTA, FORMAT).total
    assert path(n, rows) == want.tolist()


def test_waiters_time_out_in_deadline_order_on_one_loop() -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=60))
    finished: list[str] = []

    async def wait(pid: str, timeout_s: float) -> None:
        out = await rv.asubmit(pid, "chosen", 5.0, timeout_s=timeout_s)
        assert out.timed_out
        finished.append(pid)

    async def main() -> None:
        await asyncio.gather(wait("late", 0.3), wait("early", 0.05), wait("middle", 0.15))

    asyncio.run(main())
    assert finished == ["early", "middle", "late"]
    assert rv.stats().timeouts == 3 and rv.stats().open_entries == 0


def test_many_resolved_waiters_leave_the_timeout_pending_for_the_rest() -> None:
    """Hundreds of pairs resolve before a lone rollout's timeout: it still times out, once."""
    rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=60))

    async def main() -> tuple[list[float], bool]:
        lone = asyncio.ensure_future(rv.asubmit("lone", "chosen", 5.0, timeout_s=0.2))
        pairs = await asyncio.gather(
            *(rv.asubmit(f"p{i}", role, 5.0) for i in range(300) for role in ("chosen", "rejected"))
        )
        return [p.reward for p in pairs], (await lone).timed_out

    rewards, lone_timed_out = asyncio.run(main())
    assert rewards == [0.0] * 600 and lone_timed_out
    assert rv.stats().timeouts == 1 and rv.stats().resolved_pairs == 300


def test_a_cancelled_coroutine_leaves_its_pair_counted() -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=60))

    async def main() -> None:
        task = asyncio.ensure_future(rv.asubmit("p", "chosen", 5.0))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    stats = rv.stats()
    assert stats.timeouts == 1 and stats.dropped_entries == 1 and stats.open_entries == 0
