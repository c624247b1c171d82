"""Judge server throughput with micro-batching against max batch size 1: same backend, same run.

    python benchmarks/bench_serve.py [--requests 256] [--clients 64] [--max-batch-size 32]
                                     [--max-new-tokens 16] [--repeats 2] [--model PATH]

Starts two ``patarm serve`` processes on free local ports with the same judge: by default the
tiny random transformers judge (``--backend tiny``: a real batched ``model.generate``, the place
where batching pays; its output is gibberish, which does not matter for speed), or a local
transformers model with ``--model``. One server batches up to ``--max-batch-size`` items, the
other takes one item per backend call. ``--clients`` concurrent clients send ``--requests``
single-item ``POST /v1/score`` requests to each, alternating servers ``--repeats`` times (so
other load on the machine hits both alike). Prints the best requests/s of each, the ratio,
p50/p99 latency of that run, and the mean backend batch size the server reported.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

from patarm.testing.load import LoadResult, run_load
from patarm.testing.servers import stop_process, wait_for_health

TASKS = [
    "Write a haiku about autumn in lowercase letters only.",
    "List three uses of copper in exactly 3 bullet points.",
    "Explain photosynthesis in fewer than 40 words.",
    "Describe the moon without using any commas.",
]


def requests_for(count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` single-item score requests, no two alike."""
    out = []
    for i in range(count):
        item = {"prompt": TASKS[i % len(TASKS)], "response": f"Answer number {i}: the sky is blue.", "domain": "chat"}
        out.append(("/v1/score", {"items": [item]}))
    return out


@contextmanager
def server(args: argparse.Namespace, max_batch_size: int) -> Iterator[str]:
    """A ``patarm serve`` subprocess; yields its base URL once /health answers."""
    backend = ["--backend", "transformers", "--model", args.model] if args.model else ["--backend", "tiny"]
    cmd = [sys.executable, "-m", "patarm", "serve", "--port", "0", "--log-level", "warning", *backend]
    cmd += ["--max-batch-size", str(max_batch_size), "--batch-size", str(max_batch_size)]
    cmd += ["--max-wait-ms", str(args.max_wait_ms), "--max-queue", str(max(4096, args.clients))]
    cmd += ["--max-new-tokens", str(args.max_new_tokens), "--seed", "0"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("PATARM_JUDGE_API_KEY", None)
    if args.server_threads > 0:
        env["OMP_NUM_THREADS"] = str(args.server_threads)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on" not in line:
            sys.exit(f"patarm serve did not start (max batch {max_batch_size}): {line!r}")
        url = line.split("listening on ", 1)[1].split()[0]
        problem = wait_for_health(url, proc, 300)
        if problem:
            sys.exit(f"patarm serve (max batch {max_batch_size}): {problem}")
        yield url
    finally:
        stop_process(proc, 15)


def measure(url: str, count: int, clients: int) -> tuple[LoadResult, float]:
    """One load run; returns it and the mean backend batch size during it."""
    before = httpx.get(url + "/metrics.json", timeout=10).json()["batches"]
    result = run_load(url, requests_for(count), clients=clients)
    after = httpx.get(url + "/metrics.json", timeout=10).json()["batches"]
    failed = [s for s in result.statuses if s != 200]
    if failed:
        sys.exit(f"{len(failed)} requests failed at {url}: statuses {sorted(set(failed))}")
    batches = after["count"] - before["count"]
    return result, (after["items"] - before["items"]) / batches if batches else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=256, help="requests per run (default 256)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--max-batch-size", type=int, default=32, help="the batching server's limit (default 32)")
    parser.add_argument("--max-wait-ms", type=float, default=10.0, help="the servers' batch wait (default 10)")
    parser.add_argument("--max-new-tokens", type=int, default=16, help="judge tokens per item (default 16)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per server, interleaved (default 2)")
    parser.add_argument("--server-threads", type=int, default=0, help="torch threads per server (0: default)")
    parser.add_argument("--model", help="a local transformers judge instead of the tiny random one")
    args = parser.parse_args()

    judge = f"transformers model {args.model}" if args.model else "the tiny random transformers judge (--backend tiny)"
    print(f"judge: {judge}, {args.max_new_tokens} new tokens per item, 1 sample")
    print(f"load: {args.requests} single-item POST /v1/score requests from {args.clients} concurrent clients\n")
    settings = {"batched": args.max_batch_size, "batch size 1": 1}
    best: dict[str, tuple[LoadResult, float]] = {}
    with ExitStack() as stack:
        urls = {name: stack.enter_context(server(args, size)) for name, size in settings.items()}
        for url in urls.values():  # warm-up: first calls pay one-off costs
            measure(url, min(args.requests, args.clients), args.clients)
        for _ in range(args.repeats):
            for name, url in urls.items():
                result, mean_batch = measure(url, args.requests, args.clients)
                if name not in best or result.throughput > best[name][0].throughput:
                    best[name] = (result, mean_batch)
    print(f"{'setting':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'mean batch':>12}")
    for name, size in settings.items():
        result, mean_batch = best[name]
        label = f"{name} (max {size})"
        p50, p99 = result.latency(50) * 1000, result.latency(99) * 1000
        print(f"{label:<26}{result.throughput:>10.1f}{p50:>10.1f}{p99:>10.1f}{mean_batch:>12.1f}")
    ratio = best["batched"][0].throughput / best["batch size 1"][0].throughput
    print(f"\nthroughput, micro-batching / batch size 1: {ratio:.2f}x (best of {args.repeats} runs each)")


if __name__ == "__main__":
    main()
