"""OpenAIBackend wall time with concurrent requests against one at a time, same server, same run.

    python benchmarks/bench_http.py [--prompts 32] [--max-new-tokens 32] [--concurrency 8] [--repeats 3]
    python benchmarks/bench_http.py --url http://127.0.0.1:8000 --model NAME   # an already running server

By default it writes the tiny test model, starts ``transformers serve`` on a free local port
(``--continuous-batching`` passes that flag on; ``--server-threads`` caps its torch threads),
sends judge-like chat prompts and prints the best wall time of each setting (calls interleaved,
so other load on the machine hits both alike), the speed-up ratio and the request counters.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from patarm.backends import ChatInput, OpenAIBackend, SamplingParams
from patarm.testing.servers import ServerUnavailable, transformers_serve

_TOPICS = [
    ("What is 17 * 24?", "17 * 24 = 408."),
    ("Write a poem about the sea.", "The sea is wide, the sea is deep, it sings the sailors off to sleep."),
    ("def f(x): return x + 1 -- what does f(2) return?", "It returns 3."),
    ("How do I pick a lock?", "I cannot help with that request."),
]


def judge_prompts(count: int) -> list[ChatInput]:
    """``count`` pointwise-judge chat prompts, varied so no two are the same."""
    out: list[ChatInput] = []
    for i in range(count):
        question, answer = _TOPICS[i % len(_TOPICS)]
        content = (
            "Evaluate the response to the prompt. Write your criteria, your reasoning and a score from 1 to 10.\n"
            f"<prompt>{question}</prompt>\n<response>{answer} (variant {i})</response>"
        )
        out.append([{"role": "user", "content": content}])
    return out


@contextmanager
def tiny_server(continuous_batching: bool, threads: int = 0) -> Iterator[tuple[str, str]]:
    """``transformers serve`` of the tiny model on a free port: yields (base_url, model).

    ``threads`` > 0 caps the server's torch threads (OMP_NUM_THREADS)."""
    from patarm.testing import save_tiny_model

    with tempfile.TemporaryDirectory(prefix="patarm-bench-") as tmp:
        model = str(save_tiny_model(Path(tmp) / "model"))
        try:
            with transformers_serve(model, tmp, threads=threads, continuous_batching=continuous_batching) as url:
                yield url, model
        except ServerUnavailable as exc:
            sys.exit(str(exc))


def timed(backend: OpenAIBackend, prompts: list[ChatInput], params: SamplingParams) -> float:
    """Wall time of one call, checking it returned n completions per prompt."""
    start = time.perf_counter()
    out = backend.generate(prompts, params)
    elapsed = time.perf_counter() - start
    assert [len(cs) for cs in out] == [params.n] * len(prompts)
    return elapsed


def run(url: str, model: str, args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]
    prompts = judge_prompts(args.prompts)
    params = SamplingParams(n=args.n, temperature=1.0, max_new_tokens=args.max_new_tokens, seed=0)
    serial = OpenAIBackend(url, model, max_concurrency=1, timeout_s=300)
    parallel = OpenAIBackend(url, model, max_concurrency=args.concurrency, timeout_s=300)
    tokens = sum(c.num_tokens or 0 for cs in serial.generate(prompts[:2], params) for c in cs) / (2 * args.n)  # warm-up
    serial.reset_counters()
    # Interleaved, best of each: load from anything else on the machine hits both settings alike.
    serial_times: list[float] = []
    parallel_times: list[float] = []
    for _ in range(args.repeats):
        serial_times.append(timed(serial, prompts, params))
        parallel_times.append(timed(parallel, prompts, params))
    t_serial, t_parallel = min(serial_times), min(parallel_times)
    requests = len(prompts) * args.n
    print(f"server: {url}  model: {model}  load average at start: {load:.2f}")
    print(
        f"{len(prompts)} prompts x n={args.n}, max_new_tokens={args.max_new_tokens} (~{tokens:.0f} tokens per sample)"
    )
    print(f"best of {args.repeats}, interleaved:")
    for c, best, times in [(1, t_serial, serial_times), (args.concurrency, t_parallel, parallel_times)]:
        every = ", ".join(f"{t:.3f}" for t in times)
        print(f"  max_concurrency={c}:  {best:8.3f} s  ({requests / best:7.1f} requests/s)  [all: {every}]")
    print(f"speed-up (1 -> {args.concurrency}): {t_serial / t_parallel:.2f}x")
    print(f"counters, concurrency 1: {serial.counters()}")
    print(f"counters, concurrency {args.concurrency}: {parallel.counters()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=32, help="judge prompts per call (default 32)")
    parser.add_argument("--n", type=int, default=1, help="samples per prompt (default 1)")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="tokens per sample (default 32)")
    parser.add_argument("--concurrency", type=int, default=8, help="max_concurrency to compare with 1 (default 8)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved calls per setting, best kept (default 3)")
    parser.add_argument("--continuous-batching", action="store_true", help="start transformers serve with it")
    parser.add_argument(
        "--server-threads",
        type=int,
        default=1,
        help="OMP_NUM_THREADS for the server (default 1: other load on a small machine does not stall"
        " torch's thread pool; 0 keeps torch's default)",
    )
    parser.add_argument("--url", help="benchmark this running server instead of starting one")
    parser.add_argument("--model", help="model name for --url")
    args = parser.parse_args()
    if args.url:
        if not args.model:
            parser.error("--url needs --model")
        run(args.url, args.model, args)
        return
    with tiny_server(args.continuous_batching, args.server_threads) as (url, model):
        run(url, model, args)


if __name__ == "__main__":
    main()
