"""``GET /metrics`` in the Prometheus text format, the way vLLM and SGLang servers are scraped.

Each app gets its own :class:`prometheus_client.CollectorRegistry` (never the process-global one,
so several servers, or a server inside a training process, do not mix their counters), holding
one collector that reads the server's ``ServerMetrics`` at scrape time. Names start with
``patarm_``; counters end in ``_total``. ``prometheus_client`` comes with the ``serve`` extra and
is imported only when an app is built.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> from patarm.serve import JudgeService
>>> from prometheus_client import generate_latest
>>> service = JudgeService(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> service.metrics.errors["timeout"] += 2
>>> text = generate_latest(metrics_registry(service)).decode()
>>> 'patarm_errors_total{code="timeout"} 2.0' in text
True
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from patarm._extras import require
from patarm.serve._metrics import LATENCY_BUCKETS_S
from patarm.serve._replica_metrics import replica_families

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from patarm.serve._service import JudgeService

__all__ = ["metrics_registry"]


def metrics_registry(service: JudgeService) -> CollectorRegistry:
    """A fresh registry whose one collector reports ``service``'s counters."""
    require("prometheus_client", "serve")
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(service))
    return registry


class _Collector:
    """Reads the service's counters when Prometheus scrapes."""

    def __init__(self, service: JudgeService) -> None:
        self.service = service

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        m = self.service.metrics
        batcher = self.service.batcher

        def counter(name: str, doc: str, value: float) -> CounterMetricFamily:
            return CounterMetricFamily(f"patarm_{name}", doc, value=value)

        def labelled(name: str, doc: str, label: str, values: dict[str, int]) -> CounterMetricFamily:
            family = CounterMetricFamily(f"patarm_{name}", doc, labels=[label])
            for key in sorted(values):
                family.add_metric([key], values[key])
            return family

        yield labelled("requests", "HTTP requests by path ('other' for unknown paths).", "path", dict(m.requests))
        yield labelled("responses", "HTTP responses by status code.", "status", dict(m.responses))
        yield labelled("errors", "Error answers (and dropped requests) by error code.", "code", dict(m.errors))
        yield counter("items", "Items submitted for judging.", m.items)
        yield counter("judged", "Judgments returned to clients.", m.judged)
        yield counter("malformed", "Judgments with no parsed sample.", m.malformed)
        yield counter("fallbacks", "Rewards that fell back (no parsed sample or unsplittable query).", m.fallbacks)
        yield counter("split_failures", "OpenRLHF queries that could not be split.", m.split_failures)
        yield counter("batches", "Backend calls.", m.batches)
        yield counter("batch_items", "Items over all backend calls.", m.batch_items)
        yield counter("failed_batches", "Backend calls that raised.", m.failed_batches)
        yield counter("isolated_batches", "Failed batches retried request by request.", m.isolated_batches)
        yield counter("backend_seconds", "Seconds spent in backend calls.", m.backend_seconds)
        sizes = sorted(m.batch_sizes)
        bounds = [2**i for i in range(max(sizes[-1], 1).bit_length() + 1)] if sizes else [1]
        size_buckets = [(str(b), sum(n for s, n in m.batch_sizes.items() if s <= b)) for b in bounds]
        size_buckets.append(("+Inf", m.batches))
        yield HistogramMetricFamily(
            "patarm_batch_size", "Items per backend call.", buckets=size_buckets, sum_value=m.batch_items
        )
        latency = [(str(b), n) for b, n in zip(LATENCY_BUCKETS_S, m.latency_buckets, strict=True)]
        latency.append(("+Inf", m.latency_count))
        yield HistogramMetricFamily(
            "patarm_request_latency_seconds",
            "Answered scoring requests, arrival to response.",
            buckets=latency,
            sum_value=m.latency_sum,
        )
        yield GaugeMetricFamily("patarm_queued_items", "Items waiting for a batch.", value=batcher.queued)
        yield GaugeMetricFamily("patarm_running_batches", "Backend calls in progress.", value=batcher.running)
        yield GaugeMetricFamily(
            "patarm_no_progress_seconds",
            "Seconds without a finished batch while work waits.",
            value=batcher.stalled_s(),
        )
        yield from replica_families(self.service.judge)
        yield GaugeMetricFamily(
            "patarm_uptime_seconds", "Seconds since the server started.", value=time.time() - m.started
        )
