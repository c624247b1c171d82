"""Loading and converting synthetic preference pairs (Parquet) to RL rows, streamed end to end.

Writes N synthetic pairs to a Parquet file (row groups of 10,000), then times
``iter_rows -> iter_loaded -> rl_rows -> write_rows`` (Parquet out): pairs per second, and
the peak memory of the conversion (tracemalloc: Python allocations; and the process's
resident-set growth, which includes Arrow buffers). Memory is bounded when the peak stays
flat as N grows: the script converts N/10 pairs first, then N, and prints both peaks and
their ratio (near 1 = streaming; near 10 = memory grows with the corpus). The one thing that
grows with N is the set of seen pair ids (duplicate check), a few dozen bytes per pair.

    python benchmarks/bench_data.py [--pairs 1000000] [--seed 0] [--no-id-check] [--keep DIR]

tracemalloc slows Python allocations; the pairs/s figure comes from a separate untraced run.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from patarm.data import LoadReport, RLReport, iter_loaded, iter_rows, rl_rows, write_rows

PROMPTS = [
    "Solve for x: 3x + {n} = {m}.",
    "Write a Python function that returns the {n}th Fibonacci number.",
    "Tell me about the history of city number {n}.",
    "Give {n} tips for a calm morning.",
]


def synthesize(path: Path, pairs: int, seed: int) -> None:
    rng = random.Random(seed)

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(pairs):
            prompt = rng.choice(PROMPTS).format(n=rng.randint(1, 99), m=rng.randint(100, 999))
            words = " ".join(rng.choice(["the", "answer", "is", "because", "so", "step"]) for _ in range(40))
            yield {
                "id": i,
                "prompt": prompt,
                "chosen": f"Good: {words}",
                "rejected": f"Bad: {words[:80]}",
                "subset": "syn",
            }

    write_rows(path, rows(), batch_rows=10_000)


def convert(source: Path, target: Path, unique_ids: bool) -> tuple[int, int]:
    report, rl = LoadReport(), RLReport()
    loaded = iter_loaded(iter_rows(source), report=report, unique_ids=unique_ids)
    written = write_rows(target, rl_rows(loaded, report=rl))
    return rl.kept, written


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(source: Path, target: Path, unique_ids: bool) -> tuple[float, float, int]:
    """Untraced pairs/s, traced peak MiB, rows written."""
    start = time.perf_counter()
    kept, written = convert(source, target, unique_ids)
    rate = kept / (time.perf_counter() - start)
    tracemalloc.start()
    convert(source, target, unique_ids)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return rate, peak, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1_000_000, help="pairs in the large run (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-id-check", action="store_true", help="skip the duplicate-pair-id check (its id set is what grows with N)"
    )
    parser.add_argument("--keep", help="folder for the files (default: a temporary one, removed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="patarm-bench-data-") as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        sizes = [max(1, args.pairs // 10), args.pairs]
        results = []
        for n in sizes:
            source = folder / f"pairs-{n}.parquet"
            synthesize(source, n, args.seed)
            rss_before = rss_mib()
            rate, peak, written = measure(source, folder / f"rl-{n}.parquet", not args.no_id_check)
            results.append((n, rate, peak, written, rss_mib() - rss_before))
        print(f"{'pairs':>10} {'pairs/s':>10} {'rows':>10} {'peak traced MiB':>16} {'max-RSS growth MiB':>19}")
        for n, rate, peak, written, rss in results:
            print(f"{n:>10,} {rate:>10,.0f} {written:>10,} {peak:>16.1f} {rss:>19.1f}")
        ratio = results[1][2] / max(results[0][2], 1e-9)
        growth = (results[1][2] - results[0][2]) * 2**20 / max(1, sizes[1] - sizes[0])
        print(f"peak memory ratio ({sizes[1]:,} vs {sizes[0]:,} pairs): {ratio:.2f} (10x the pairs)")
        what = "no id check: rows stream" if args.no_id_check else "the seen-pair-id set; rows themselves stream"
        print(f"peak growth per extra pair: {growth:.0f} bytes ({what})")
        print(f"memory bounded (ratio < 3 for 10x the pairs): {ratio < 3.0}")


if __name__ == "__main__":
    main()
