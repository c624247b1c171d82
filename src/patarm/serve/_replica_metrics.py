"""Prometheus families for the judge's replicas, when its backend spreads requests over several
OpenAI-compatible servers (:meth:`patarm.backends.OpenAIBackend.replica_stats`).

One sample per replica, labelled ``replica`` with the server's URL redacted (user information and
credential query parameters masked): attempts sent, attempts failed, times put to rest (counters),
and attempts in flight and resting now (gauges). A backend without replicas adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["replica_families"]


def replica_families(judge: Any) -> Iterator[Any]:
    """The families for ``judge.backend``'s replicas (none when it has no ``replica_stats``)."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    stats = getattr(getattr(judge, "backend", None), "replica_stats", None)
    if not callable(stats):
        return
    replicas = stats()
    families = [
        (CounterMetricFamily, "replica_requests", "Attempts sent to each judge replica.", "requests"),
        (
            CounterMetricFamily,
            "replica_failures",
            "Attempts failed per replica (connection, 5xx, timeout).",
            "failures",
        ),
        (CounterMetricFamily, "replica_rested", "Times each replica was put to rest after a failure.", "rested"),
        (GaugeMetricFamily, "replica_in_flight", "Attempts in flight per replica.", "in_flight"),
        (GaugeMetricFamily, "replica_resting", "1 while a replica rests after a failure, else 0.", "resting"),
    ]
    for kind, name, doc, field in families:
        family = kind(f"patarm_{name}", doc, labels=["replica"])
        for replica in replicas:
            family.add_metric([replica.url], float(getattr(replica, field)))
        yield family
