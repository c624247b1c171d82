"""What refusing a hostile body costs the judge server: decode-then-count against scan-then-decode, same run.

    python benchmarks/bench_serve_refusal.py [--bytes 8388608] [--repeats 1]

The body is ``/get_reward`` with one query and ``--bytes`` of tiny labels (``0,0,0,...``: 8 MiB
holds 4.19 million), under the server's default limits (1,024 entries per array), so it must be
refused. Two paths over the same bytes, in this process:

- before: what the server did until the body scan: ``decode_body`` (UTF-8, ``json.loads``, a
  walk for depth and lone surrogates), ``RewardRequest.model_validate``, then the count check
  (the labels do not match the queries: 422);
- after: ``JudgeService._read``, as the server runs it now: the scan measures the JSON text and
  stops at the 1,025th label (413), before anything is decoded.

For each it prints the seconds (best of ``--repeats``, without tracing) and the peak memory
allocated while refusing (``tracemalloc``, a separate run; the body itself is not counted), and
the ratios before / after.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

from patarm.backends import FunctionBackend
from patarm.errors import PatarmError
from patarm.judges import PointwiseJudge
from patarm.serve import JudgeService, RewardRequest, ServeError, ServeSettings
from patarm.serve._body import decode_body


def tiny_labels(size: int) -> bytes:
    """A ``/get_reward`` body of ``size`` bytes: one query, then labels ``0`` to the end."""
    head, tail = b'{"query": ["q"], "labels": [', b"0]}"
    count = (size - len(head) - len(tail)) // 2 + 1
    return head + b"0," * (count - 1) + tail


def before(raw: bytes, settings: ServeSettings) -> str:
    """The old path: decode and check the whole body, validate it, then count."""
    request = RewardRequest.model_validate(decode_body(raw, max_depth=settings.max_json_depth))
    labels = request.labels or []
    if len(request.query) > settings.max_items_per_request:
        return "413"
    if len(labels) != len(request.query):
        return f"422 (labels has {len(labels)} entries for {len(request.query)} queries)"
    return "accepted"


def after(raw: bytes, service: JudgeService) -> str:
    """The server's path now: scan, and refuse at the first excess."""
    try:
        service._read(raw, RewardRequest)
    except ServeError as exc:
        return f"{exc.status} ({exc.message})"
    return "accepted"


def seconds(fn: Callable[[], str], repeats: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeats):
        started = time.perf_counter()
        outcome = fn()
        best = min(best, time.perf_counter() - started)
    return best, outcome


def peak_bytes(fn: Callable[[], str]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", type=int, default=8 * 1024 * 1024, help="body size (default 8 MiB)")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per path, best kept (default 1)")
    args = parser.parse_args()
    settings = ServeSettings()
    service = JudgeService(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")), settings)
    raw = tiny_labels(args.bytes)
    print(f"body: {len(raw):,} bytes, {raw.count(b','):,} labels, one query; limit {settings.max_items_per_request}")
    paths: dict[str, Callable[[], str]] = {
        "before (decode, validate, count)": lambda: before(raw, settings),
        "after (scan, refuse)": lambda: after(raw, service),
    }
    figures = {}
    for name, fn in paths.items():
        try:
            took, outcome = seconds(fn, args.repeats)
            peak = peak_bytes(fn)
        except PatarmError as exc:  # a body the old path refuses some other way
            took, outcome, peak = float("nan"), str(exc), 0
        figures[name] = (took, peak)
        print(f"{name:<34}{took:>10.4f} s{peak / 2**20:>12.1f} MiB peak   {outcome[:70]}")
    (t0, m0), (t1, m1) = figures.values()
    print(f"\nbefore / after: {t0 / t1:,.0f}x the time, {m0 / max(m1, 1):,.0f}x the memory")


if __name__ == "__main__":
    main()
