"""Judged items per second with three judge replicas against one, same stand-in servers, same run.

    python benchmarks/bench_replicas.py [--items 240] [--latency-s 0.2] [--server-concurrency 4] [--repeats 2]

Starts three stand-in judge servers (:mod:`patarm.testing.standin`: OpenAI-compatible, judge-format
answers, each request an ``asyncio.sleep`` of ``--latency-s`` with at most ``--server-concurrency``
served at once, so one server saturates as a busy vLLM server does, without using the CPU). A
:class:`~patarm.judges.PointwiseJudge` over :class:`~patarm.backends.OpenAIBackend` judges the same
items through the first server alone and through all three (least-outstanding routing), with the
same client concurrency (twice what three servers serve at once), calls interleaved, best of ``--repeats`` each.
Prints items/s for each, the ratio (ideal: 3.0) and the requests each replica got.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from patarm.backends import OpenAIBackend
from patarm.judges import JudgeConfig, PointwiseItem, PointwiseJudge
from patarm.testing.servers import ServerUnavailable
from patarm.testing.standin import standin_servers


def timed(backend: OpenAIBackend, items: list[PointwiseItem], chunk: int) -> float:
    """Wall time of judging ``items`` once, checking every item got its own score."""
    judge = PointwiseJudge(backend, JudgeConfig(scale=(0, 10**6), temperature=0.0, tiers="primary", chunk_size=chunk))
    start = time.perf_counter()
    results = judge.judge_many(items)
    elapsed = time.perf_counter() - start
    assert [r.score for r in results] == [float(i) for i in range(len(items))], "an item lost or mixed up"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=240, help="items judged per call (default 240)")
    parser.add_argument("--latency-s", type=float, default=0.2, help="seconds per request on a server (default 0.2)")
    parser.add_argument("--server-concurrency", type=int, default=4, help="requests a server serves at once")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved calls per setting, best kept (default 2)")
    args = parser.parse_args()
    items = [PointwiseItem("Say something.", f"ID={i} a response", "chat") for i in range(args.items)]
    # Twice what three servers serve at once: each keeps a queue, as a busy vLLM server does, so
    # the client's own turnaround between requests does not leave a server idle.
    concurrency = 2 * 3 * args.server_concurrency
    with tempfile.TemporaryDirectory(prefix="patarm-bench-") as tmp:
        logs = [Path(tmp) / f"replica{i}.log" for i in range(3)]
        try:
            with standin_servers(
                logs, latencies_s=[args.latency_s] * 3, max_concurrency=args.server_concurrency
            ) as servers:
                urls = [url for url, _ in servers]
                one = OpenAIBackend(urls[:1], "judge", max_concurrency=concurrency, timeout_s=300)
                three = OpenAIBackend(urls, "judge", max_concurrency=concurrency, timeout_s=300)
                timed(one, items[: concurrency * 2], args.items)  # warm-up: connections, imports
                timed(three, items[: concurrency * 2], args.items)
                one.reset_counters()
                three.reset_counters()
                load = os.getloadavg()[0]
                t_one: list[float] = []
                t_three: list[float] = []
                for _ in range(args.repeats):  # interleaved: other load on the machine hits both alike
                    t_one.append(timed(one, items, args.items))
                    t_three.append(timed(three, items, args.items))
        except ServerUnavailable as exc:
            sys.exit(str(exc))
    best_one, best_three = min(t_one), min(t_three)
    ceiling = args.server_concurrency / args.latency_s
    print(f"{args.items} items, {args.latency_s:g} s per request, {args.server_concurrency} at once per server")
    print(
        f"client max_concurrency {concurrency}; load average at start: {load:.2f}; best of {args.repeats}, interleaved"
    )
    print(f"  1 replica:   {args.items / best_one:8.1f} items/s  (server ceiling {ceiling:.1f})")
    print(f"  3 replicas:  {args.items / best_three:8.1f} items/s  (ceiling {3 * ceiling:.1f})")
    print(f"speed-up (1 -> 3 replicas): {best_one / best_three:.2f}x")
    print("requests per replica (3 replicas): " + ", ".join(str(s.requests) for s in three.replica_stats()))


if __name__ == "__main__":
    main()
