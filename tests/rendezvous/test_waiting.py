"""PairRendezvous across threads and event loops: every call resolves, or falls back in time."""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.rendezvous import PairRendezvous
from patarm.rewards import PARSettings, total_rewards

score = st.one_of(st.none(), st.integers(1, 10).map(float))


@st.composite
def batches(draw: st.DrawFn) -> tuple[int, dict[str, tuple[list, list]], int]:
    n = draw(st.integers(1, 3))
    pairs = {
        f"p{i}": (draw(st.lists(score, min_size=n, max_size=n)), draw(st.lists(score, min_size=n, max_size=n)))
        for i in range(draw(st.integers(1, 4)))
    }
    return n, pairs, draw(st.integers(0, 1000))


def _jobs(pairs: dict[str, tuple[list, list]], seed: int) -> list[tuple[str, str, int, float | None]]:
    jobs = [
        (pid, role, i, side[i])
        for pid, (c, r) in pairs.items()
        for role, side in (("chosen", c), ("rejected", r))
        for i in range(len(side))
    ]
    random.Random(seed).shuffle(jobs)
    return jobs


def _expected(pairs: dict[str, tuple[list, list]]) -> dict[tuple[str, str, int], float]:
    out = {}
    for pid, (c, r) in pairs.items():
        wc, wr = total_rewards(c, r)
        out.update({(pid, "chosen", i): v for i, v in enumerate(wc)})
        out.update({(pid, "rejected", i): v for i, v in enumerate(wr)})
    return out


@settings(max_examples=40, deadline=None)
@given(batches())
def test_threads_all_resolve_to_core_rewards(batch) -> None:
    n, pairs, seed = batch
    rv = PairRendezvous(PARSettings(rollouts_per_side=n, timeout_s=30))
    jobs = _jobs(pairs, seed)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {(pid, role, i): pool.submit(rv.submit, pid, role, s) for pid, role, i, s in jobs}
        got = {k: f.result(timeout=60).reward for k, f in futures.items()}
    assert got == _expected(pairs)
    stats = rv.stats()
    assert stats.timeouts == 0 and stats.resolved_pairs == len(pairs) and stats.open_entries == 0


@settings(max_examples=40, deadline=None)
@given(batches())
def test_coroutines_all_resolve_to_core_rewards(batch) -> None:
    n, pairs, seed = batch
    rv = PairRendezvous(PARSettings(rollouts_per_side=n, timeout_s=30))
    jobs = _jobs(pairs, seed)

    async def main() -> list[float]:
        outs = await asyncio.gather(*(rv.asubmit(pid, role, s) for pid, role, _, s in jobs))
        return [o.reward for o in outs]

    got = dict(zip([(p, r, i) for p, r, i, _ in jobs], asyncio.run(main()), strict=True))
    assert got == _expected(pairs)


def test_two_event_loops_in_two_threads_meet() -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=2, timeout_s=30))
    results: dict[str, list[float]] = {}

    def side(role: str, scores: list[float]) -> None:
        async def main() -> list[float]:
            return [o.reward for o in await asyncio.gather(*(rv.asubmit("p", role, s) for s in scores))]

        results[role] = asyncio.run(main())

    threads = [threading.Thread(target=side, args=a) for a in (("chosen", [9.0, 7.0]), ("rejected", [2.0, 8.0]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    want_c, want_r = total_rewards([9.0, 7.0], [2.0, 8.0])
    assert results == {"chosen": want_c, "rejected": want_r}


def test_missing_partner_times_out_with_fallback_and_count() -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=2, timeout_s=0.2))

    async def main() -> list:
        return list(await asyncio.gather(rv.asubmit("alone", "chosen", 8.0), rv.asubmit("alone", "chosen", None)))

    outs = asyncio.run(main())
    assert [o.reward for o in outs] == [0.0, -1.0]  # fallback PAR 0 + format
    assert all(o.timed_out for o in outs)
    stats = rv.stats()
    assert stats.timeouts == 2 and stats.dropped_entries == 1 and stats.open_entries == 0
    # a thread caller gets the same treatment
    out = rv.submit("alone2", "rejected", 4.0, timeout_s=0.1)
    assert out.timed_out and out.reward == 0.0 and rv.stats().timeouts == 3


def test_info_keys_are_the_same_for_every_outcome() -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=0.1))
    timed_out = rv.submit("x", "chosen", 3.0)

    async def pair() -> list:
        return list(await asyncio.gather(rv.asubmit("y", "chosen", 3.0), rv.asubmit("y", "rejected", None)))

    keys = {tuple(sorted(o.to_info())) for o in [timed_out, *asyncio.run(pair())]}
    assert len(keys) == 1


def test_timeouts_and_progress_are_logged(caplog) -> None:
    rv = PairRendezvous(PARSettings(rollouts_per_side=1, timeout_s=0.05), log_every=2)
    with caplog.at_level("INFO", logger="patarm.rendezvous"):
        rv.submit("lost", "chosen", 4.0)

        async def two_pairs() -> None:
            await asyncio.gather(*(rv.asubmit(p, r, 5.0) for p in ("x", "y") for r in ("chosen", "rejected")))

        asyncio.run(two_pairs())
    text = caplog.text
    assert "pair 'lost' (chosen side) got no partner" in text
    assert "2 pairs resolved, 1 rollouts timed out" in text
