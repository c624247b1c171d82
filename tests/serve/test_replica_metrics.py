"""``patarm serve``'s ``/metrics`` over a judge with several replicas: one labelled sample per
replica (its URL redacted), counting the attempts a dead replica failed and a live one answered."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from patarm.backends import FunctionBackend, OpenAIBackend
from patarm.judges import JudgeConfig, PointwiseJudge
from patarm.serve import ServerThread, create_app
from patarm.testing.servers import ServerUnavailable, free_port
from patarm.testing.standin import standin_server

PASSWORD = "metrics-Pa55"


def test_metrics_count_each_replica_under_a_redacted_label(tmp_path: Path) -> None:
    with ExitStack() as stack:
        try:
            live, _ = stack.enter_context(standin_server(tmp_path / "live.log", latency_s=0.0))
        except ServerUnavailable as exc:
            pytest.skip(str(exc))
        dead = f"http://judge:{PASSWORD}@127.0.0.1:{free_port()}"  # nothing listens there
        backend = OpenAIBackend([dead, live], "judge", backoff_s=0.01, replica_cooldown_s=30.0)
        judge = PointwiseJudge(backend, JudgeConfig(scale=(0, 1000), temperature=0.0, tiers="primary"))
        app = stack.enter_context(ServerThread(create_app(judge)))
        items = [{"prompt": "Say hi.", "response": f"ID={i}", "domain": "chat"} for i in range(4)]
        scored = httpx.post(f"{app.url}/v1/score", json={"items": items}, timeout=60)
        assert scored.status_code == 200, scored.text
        assert [r["score"] for r in scored.json()["results"]] == [0.0, 1.0, 2.0, 3.0]
        text = httpx.get(f"{app.url}/metrics", timeout=10).text
        as_json = httpx.get(f"{app.url}/metrics.json", timeout=10).json()
    assert PASSWORD not in text and PASSWORD not in str(as_json)
    got = {(s.name, s.labels.get("replica")): s.value for f in text_string_to_metric_families(text) for s in f.samples}
    dead_label, live_label = dead.replace(f"judge:{PASSWORD}@", "***@") + "/v1", live + "/v1"
    assert got[("patarm_replica_failures_total", dead_label)] >= 1
    assert got[("patarm_replica_rested_total", dead_label)] >= 1
    assert got[("patarm_replica_resting", dead_label)] == 1
    assert got[("patarm_replica_failures_total", live_label)] == 0
    assert got[("patarm_replica_requests_total", live_label)] == 4
    assert got[("patarm_replica_in_flight", live_label)] == 0
    total = got[("patarm_replica_requests_total", dead_label)] + got[("patarm_replica_requests_total", live_label)]
    assert total == backend.requests
    replicas = {r["url"]: r for r in as_json["replicas"]}  # /metrics.json holds the same figures
    assert set(replicas) == {dead_label, live_label}
    assert replicas[live_label]["requests"] == 4 and replicas[live_label]["failures"] == 0
    assert replicas[dead_label]["failures"] >= 1 and replicas[dead_label]["resting"] is True


def test_a_backend_without_replicas_adds_no_replica_samples() -> None:
    from prometheus_client import generate_latest

    from patarm.serve._prometheus import metrics_registry

    app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
    assert "patarm_replica" not in generate_latest(metrics_registry(app.state.service)).decode()
    assert "replicas" not in app.state.service.metrics_snapshot()
