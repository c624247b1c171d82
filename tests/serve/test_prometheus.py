"""``/metrics`` in the Prometheus text format: each app its own registry, counters that match the JSON view."""

from __future__ import annotations

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from patarm.backends import FunctionBackend
from patarm.judges import PointwiseJudge
from patarm.serve import create_app
from patarm.serve._batcher import BatchReport
from patarm.serve._prometheus import metrics_registry


def judge() -> PointwiseJudge:
    return PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>"))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_each_app_has_its_own_registry_and_the_global_one_stays_clean() -> None:
    one, two = create_app(judge()), create_app(judge())
    one.state.service.metrics.errors["timeout"] += 3
    first = samples(generate_latest(metrics_registry(one.state.service)).decode())
    second = samples(generate_latest(metrics_registry(two.state.service)).decode())
    assert first[("patarm_errors_total", (("code", "timeout"),))] == 3.0
    assert ("patarm_errors_total", (("code", "timeout"),)) not in second
    assert "patarm_" not in generate_latest(REGISTRY).decode()


def test_histograms_are_cumulative_and_match_the_counters() -> None:
    service = create_app(judge()).state.service
    for size in (1, 3, 3, 8):
        service.metrics.record_batch(BatchReport(size, 1, 0.01, True, False))
    for seconds in (0.002, 0.2, 7.0):
        service.metrics.record_latency(seconds)
    got = samples(generate_latest(metrics_registry(service)).decode())
    assert got[("patarm_batch_size_bucket", (("le", "1"),))] == 1
    assert got[("patarm_batch_size_bucket", (("le", "4"),))] == 3
    assert got[("patarm_batch_size_bucket", (("le", "+Inf"),))] == 4 == got[("patarm_batches_total", ())]
    assert got[("patarm_batch_size_sum", ())] == 15 == service.metrics_snapshot()["batches"]["items"]
    assert got[("patarm_request_latency_seconds_bucket", (("le", "0.005"),))] == 1
    assert got[("patarm_request_latency_seconds_bucket", (("le", "0.25"),))] == 2
    assert got[("patarm_request_latency_seconds_count", ())] == 3
