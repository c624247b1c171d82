"""Server counters for ``GET /metrics`` (Prometheus) and ``GET /metrics.json``: requests, responses,
errors, batch sizes, latency, malformed rate.

Updated on the event loop only (no locks). Latency percentiles cover the last ``window``
answered requests (nearest rank); counts and the latency histogram cover the server's whole life.

>>> metrics = ServerMetrics()
>>> for seconds in (0.1, 0.2, 0.3):
...     metrics.record_latency(seconds)
>>> metrics.snapshot()["latency_s"]["p50"]
0.2
"""

from __future__ import annotations

import time
from collections import Counter, deque
from typing import Any

from patarm._stats import percentile
from patarm.serve._batcher import BatchReport

__all__ = ["LATENCY_BUCKETS_S", "ServerMetrics", "percentile"]

# Upper bounds of the request latency histogram, in seconds (OpenRLHF's client gives up at 180 s).
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 180.0)


class ServerMetrics:
    """Everything ``/metrics`` reports."""

    def __init__(self, window: int = 10_000) -> None:
        self.started = time.time()
        self.requests: Counter[str] = Counter()
        self.responses: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.items = 0
        self.judged = 0
        self.malformed = 0
        self.fallbacks = 0
        self.split_failures = 0
        self.batches = 0
        self.batch_items = 0
        self.batch_sizes: Counter[int] = Counter()
        self.failed_batches = 0
        self.isolated_batches = 0
        self.backend_seconds = 0.0
        self._latency: deque[float] = deque(maxlen=window)
        self.latency_buckets = [0] * len(LATENCY_BUCKETS_S)  # answered requests at or under each bound
        self.latency_count = 0
        self.latency_sum = 0.0

    def record_batch(self, report: BatchReport) -> None:
        """One backend call (the micro-batcher's ``on_batch`` hook)."""
        self.batches += 1
        self.batch_items += report.size
        self.batch_sizes[report.size] += 1
        self.backend_seconds += report.seconds
        self.failed_batches += not report.ok
        self.isolated_batches += report.isolated

    def record_latency(self, seconds: float) -> None:
        """One answered request, arrival to response."""
        self._latency.append(seconds)
        self.latency_count += 1
        self.latency_sum += seconds
        for i, bound in enumerate(LATENCY_BUCKETS_S):
            if seconds <= bound:
                self.latency_buckets[i] += 1

    def record_results(self, judged: int, malformed: int) -> None:
        """Judgments returned to clients, and how many of them had no parsed sample."""
        self.judged += judged
        self.malformed += malformed

    def snapshot(self, *, queued: int = 0, running: int = 0) -> dict[str, Any]:
        """Every counter as plain JSON-ready values."""
        latency = list(self._latency)
        sizes = self.batch_sizes
        return {
            "uptime_s": round(time.time() - self.started, 3),
            "requests": dict(self.requests),
            "responses": dict(self.responses),
            "errors": dict(self.errors),
            "items": self.items,
            "judged": self.judged,
            "malformed": self.malformed,
            "malformed_rate": self.malformed / self.judged if self.judged else 0.0,
            "fallbacks": self.fallbacks,
            "split_failures": self.split_failures,
            "queue": {"queued_items": queued, "running_batches": running},
            "batches": {
                "count": self.batches,
                "items": self.batch_items,
                "mean_size": self.batch_items / self.batches if self.batches else 0.0,
                "max_size": max(sizes, default=0),
                "sizes": {str(k): sizes[k] for k in sorted(sizes)},
                "failed": self.failed_batches,
                "isolated": self.isolated_batches,
                "backend_seconds": round(self.backend_seconds, 6),
            },
            "latency_s": {
                "count": len(latency),
                "mean": sum(latency) / len(latency) if latency else None,
                "p50": percentile(latency, 50),
                "p90": percentile(latency, 90),
                "p99": percentile(latency, 99),
                "max": max(latency, default=None),
            },
        }
