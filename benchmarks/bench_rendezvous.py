"""Cost of the pair rendezvous per trajectory, against the batch PAR on the same scores.

verl and OpenRLHF score one trajectory at a time, so every rollout goes through
``PairRendezvous.asubmit`` (event loop) or ``submit`` (threads). This measures one training
step's worth of rollouts (default 256 pairs x 2 sides x 8 rollouts, arriving in random
order) through each, and through ``par_batch`` over the whole batch (the baseline: what
a batch hook would cost), and checks that all three give the same rewards.

    python benchmarks/bench_rendezvous.py [--pairs 256] [--n 8] [--repeats 3]

The blocking path gets one thread per rollout, as the pool that ``reward_func.py`` installs
(a waiting call holds its thread: fewer threads than waiting rollouts can stall until the
timeout). That pool is the event loop's default executor and outlives the training steps,
so its threads are started once, in an untimed first step, not in every timed one.

Most of the blocking path's cost is the threads' own: a rollout's thread blocks and is
woken, whatever wakes it. The row "threads, no rendezvous" measures that floor in the same
run: the same pool and arrival order, each rollout blocking on a lock of its own until the
last rollout of its pair arrives, with no reward computed. ``submit`` is compared with it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from patarm.rendezvous import PairRendezvous
from patarm.rewards import PARSettings, par_batch


def make_batch(pairs: int, n: int, seed: int) -> list[tuple[str, str, float | None]]:
    rng = random.Random(seed)
    rows = [
        (f"p{p}", role, None if rng.random() < 0.05 else float(rng.randint(1, 10)))
        for p in range(pairs)
        for role in ("chosen", "rejected")
        for _ in range(n)
    ]
    rng.shuffle(rows)
    return rows


def run_async(rows: list[tuple[str, str, float | None]], n: int) -> list[float]:
    rv = PairRendezvous(PARSettings(rollouts_per_side=n, timeout_s=600))

    async def main() -> list[float]:
        return [r.reward for r in await asyncio.gather(*(rv.asubmit(p, role, s) for p, role, s in rows))]

    return asyncio.run(main())


def run_threads(rows: list[tuple[str, str, float | None]], n: int, pool: ThreadPoolExecutor) -> list[float]:
    rv = PairRendezvous(PARSettings(rollouts_per_side=n, timeout_s=600))
    futures = [pool.submit(rv.submit, p, role, s) for p, role, s in rows]
    return [f.result().reward for f in futures]


def run_thread_floor(rows: list[tuple[str, str, float | None]], n: int, pool: ThreadPoolExecutor) -> list[float]:
    """The pool's own cost: each rollout waits for its pair's last arrival; no reward is computed."""
    lock = threading.Lock()
    waiting: dict[str, list[threading.Lock]] = {}

    def arrive(pair: str) -> float:
        mine = threading.Lock()
        mine.acquire()
        with lock:
            group = waiting.setdefault(pair, [])
            group.append(mine)
            last = len(group) == 2 * n
            if last:
                for other in group[:-1]:
                    other.release()
        if not last:
            mine.acquire(timeout=600)
        return 0.0

    futures = [pool.submit(arrive, p) for p, _, _ in rows]
    return [f.result() for f in futures]


def run_batch(rows: list[tuple[str, str, float | None]]) -> list[float]:
    out = par_batch([s for _, _, s in rows], [p for p, _, _ in rows], [r for _, r, _ in rows])
    return list(out.total.tolist())


def best(fn, repeats: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times, result = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=256)
    parser.add_argument("--n", type=int, default=8, help="rollouts per side")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = make_batch(args.pairs, args.n, args.seed)
    t_batch, want = best(lambda: run_batch(rows), args.repeats)
    t_async, got_async = best(lambda: run_async(rows, args.n), args.repeats)
    with ThreadPoolExecutor(max_workers=len(rows)) as pool:
        run_threads(rows, args.n, pool)  # starts the pool's threads, as a training run's first step does
        t_threads, got_threads = best(lambda: run_threads(rows, args.n, pool), args.repeats)
        t_floor, _ = best(lambda: run_thread_floor(rows, args.n, pool), args.repeats)
    assert got_async == want and got_threads == want, "rendezvous rewards differ from the batch PAR"
    total = len(rows)
    print(f"{total} rollouts ({args.pairs} pairs x 2 sides x {args.n}), random arrival order, best of {args.repeats}")
    print(f"{'path':<28}{'seconds':>10}{'us/rollout':>12}{'x batch':>10}")
    for name, t in (("par_batch (baseline)", t_batch), ("asubmit (event loop)", t_async),
                    (f"submit ({total} threads)", t_threads), ("threads, no rendezvous", t_floor)):  # fmt: skip
        print(f"{name:<28}{t:>10.4f}{1e6 * t / total:>12.1f}{t / t_batch:>10.1f}")
    print(f"submit costs {t_threads / t_floor:.2f}x the threads' own floor (same pool, no reward computed)")
    print("rewards identical on all three paths")


if __name__ == "__main__":
    main()
