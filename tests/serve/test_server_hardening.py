"""A real ``patarm serve`` (scripted judge, API key, debug logs) against hostile and careless clients:
error bodies and counters for every kind of bad request, no key in any log line, ambiguous
credentials refused, /health saying only up/down to strangers and turning 503 when the backend
makes no progress, and /health answering while a 200,000-character adversarial text is served."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.slow

Server = Any
ECHO = str(Path(__file__).parent / "echo_judge.py") + ":judge"
KEY = "hardening-Key+with/odd=chars"  # what the hard_server fixture sets
Q = quote(KEY, safe="")
AUTH = {"Authorization": f"Bearer {KEY}"}
ITEM = {"prompt": "Say hi.", "response": "Hello ID=7"}
CHAT = "<|im_start|>user\nSay hi.<|im_end|>\n<|im_start|>assistant\n{}<|im_end|>"


def errors(server: Server) -> dict[str, int]:
    return dict(server.metrics(AUTH)["errors"])


def send(server: Server, path: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = {**AUTH, "content-type": "application/json", **(headers or {})}
    return httpx.post(server.url + path, content=content, headers=headers, timeout=60)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD = {
    "not-utf8": ("/v1/score", b'{"items": [{"prompt": "\xff", "response": "x"}]}', 422, "body: not valid UTF-8"),
    "not-json": ("/v1/score", b"{not json", 422, "body: not valid JSON at line 1 column 2"),
    "deep-label": (
        "/get_reward",
        ('{"query": ["q"], "labels": [' + nested(100_000) + "]}").encode(),
        422,
        "labels" + "[0]" * 32 + ": nested deeper than 32 levels",  # found by the scan, before decoding
    ),
    "deep-label-40": (
        "/get_reward",
        ('{"query": ["q"], "labels": [' + nested(40) + "]}").encode(),
        422,
        "labels" + "[0]" * 32 + ": nested deeper than 32 levels",
    ),
    "deep-label-string": (
        "/get_reward",
        json.dumps({"query": ["q"], "labels": ['{"a": ' + nested(40) + "}"]}).encode(),
        422,
        "labels[0].a" + "[0]" * 30,
    ),
    "surrogate-prompt": (
        "/v1/score",
        b'{"items": [{"prompt": "hi \\ud800", "response": "x"}]}',
        422,
        "items[0].prompt: lone surrogate U+D800",
    ),
    "surrogate-response": (
        "/v1/score",
        b'{"items": [{"prompt": "hi", "response": "\\udfff"}]}',
        422,
        "items[0].response: lone surrogate U+DFFF",
    ),
    "surrogate-query": ("/get_reward", b'{"query": ["a\\ud83d"]}', 422, "query[0]: lone surrogate U+D83D"),
    "surrogate-label": (
        "/get_reward",
        b'{"query": ["q"], "labels": [{"domain": "\\ud800"}]}',
        422,
        "labels[0].domain: lone surrogate",
    ),
    "schema": ("/v1/score", b'{"items": [{"prompt": "p"}]}', 422, "items.0.response: Field required"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_bad_request_gets_the_error_body_and_is_counted(hard_server: Server, case: str) -> None:
    path, content, status, says = BAD[case]
    code = "invalid_request"
    before = errors(hard_server).get(code, 0)
    response = send(hard_server, path, content)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and says in body["message"], body
    assert set(body) <= {"error", "message", "detail", "error_id"}
    assert errors(hard_server)[code] == before + 1


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/nope", 404, "not_found"), ("GET", "/v1/score", 405, "method_not_allowed")],
)
def test_framework_errors_use_the_error_body(
    hard_server: Server, method: str, path: str, status: int, code: str
) -> None:
    before = errors(hard_server).get(code, 0)
    response = httpx.request(method, hard_server.url + path, headers=AUTH, timeout=10)
    assert response.status_code == status and response.json()["error"] == code
    assert errors(hard_server)[code] == before + 1


def test_backend_exception_text_never_reaches_the_client(hard_server: Server) -> None:
    before = errors(hard_server).get("backend_error", 0)
    response = send(hard_server, "/v1/score", json.dumps({"items": [{"prompt": "p", "response": "LEAKKEY"}]}).encode())
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "backend_error" and body["error_id"] in body["message"]
    assert KEY not in response.text and "token=" not in response.text and "RuntimeError" not in response.text
    assert errors(hard_server)["backend_error"] == before + 1
    time.sleep(0.2)
    log = hard_server.log.read_text()
    assert f"error id {body['error_id']}" in log and "RuntimeError: backend failed, token=***" in log


def test_lone_surrogate_in_judge_output_is_replaced_not_a_500(hard_server: Server) -> None:
    response = send(
        hard_server, "/v1/score", json.dumps({"items": [{"prompt": "p", "response": "SURROGATE"}]}).encode()
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["rationale"] == "bad \ufffd text"


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?api_key=x&api_key=" + Q, {}),
        ("?api_key=" + Q + "&api_key=" + Q, {}),
        ("", {"X-API-Key": KEY, "x-api-key": "guess"}),
        ("?api_key=guess", AUTH),
        ("", {**AUTH, "X-API-Key": "guess"}),
        ("", {"Authorization": "Basic " + KEY}),
    ],
    ids=["repeated-param", "repeated-param-same", "repeated-header", "header-vs-query", "two-headers", "not-bearer"],
)
def test_ambiguous_credentials_are_401(hard_server: Server, query: str, headers: dict[str, str]) -> None:
    url = hard_server.url + "/get_reward" + query
    response = httpx.post(url, json={"query": [CHAT.format("hi")]}, headers=headers, timeout=30)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


def test_the_key_by_every_route_and_no_log_line_holds_it(hard_server: Server) -> None:
    body = {"query": [CHAT.format("hello ID=3")]}
    routes = [("", AUTH), ("", {"X-API-Key": KEY}), ("?api_key=" + Q, {}), ("?api_key=" + Q, AUTH)]  # last: agreeing
    for query, headers in routes:
        response = httpx.post(hard_server.url + "/get_reward" + query, json=body, headers=headers, timeout=30)
        assert response.status_code == 200, (query, headers, response.text)
        assert httpx.get(hard_server.url + "/metrics" + query, headers=headers, timeout=10).status_code == 200
    wrong = httpx.get(hard_server.url + "/metrics?api_key=" + Q + "x", timeout=10)
    assert wrong.status_code == 401
    time.sleep(0.3)
    log = hard_server.all_logs()
    assert '"POST /get_reward?api_key=*** HTTP/1.1" 200' in log  # the access log is on, at debug level
    assert KEY not in log and Q not in log and KEY.split("+")[0] not in log


def test_health_says_only_up_without_the_key(hard_server: Server) -> None:
    assert httpx.get(hard_server.url + "/health", timeout=10).json() == {"status": "ok"}
    full = httpx.get(hard_server.url + "/health", headers=AUTH, timeout=10).json()
    assert full["status"] == "ok" and full["settings"]["stall_timeout_s"] == 1.0 and KEY not in json.dumps(full)


def test_prometheus_metrics_and_the_json_view(hard_server: Server) -> None:
    text = httpx.get(hard_server.url + "/metrics", headers=AUTH, timeout=10)
    assert text.headers["content-type"].startswith("text/plain")
    from prometheus_client.parser import text_string_to_metric_families

    families = {f.name: f for f in text_string_to_metric_families(text.text)}
    assert {"patarm_requests", "patarm_errors", "patarm_request_latency_seconds", "patarm_batch_size"} <= set(families)
    served = {s.labels["path"]: s.value for s in families["patarm_requests"].samples if s.name.endswith("_total")}
    assert served["/metrics"] >= 1
    assert hard_server.metrics(AUTH)["requests"]["/metrics"] == served["/metrics"]


def test_health_turns_503_when_the_backend_makes_no_progress(hard_server: Server) -> None:
    done: list[int] = []

    def slow() -> None:
        content = json.dumps({"items": [{"prompt": "p", "response": "SLEEP:3 x"}]}).encode()
        done.append(send(hard_server, "/v1/score", content).status_code)

    thread = threading.Thread(target=slow)
    thread.start()
    seen = []
    deadline = time.monotonic() + 2.8
    while time.monotonic() < deadline:
        seen.append(httpx.get(hard_server.url + "/health", timeout=5).status_code)
        time.sleep(0.1)
    thread.join(30)
    assert done == [200]
    assert 503 in seen and seen[0] == 200
    assert httpx.get(hard_server.url + "/health", timeout=5).status_code == 200


ADVERSARIAL = {
    "lt-spaces": "<" + " " * 199_999,
    "newlines": "\n" * 200_000,
    "think-closers": "</think>" * 25_000,
}


def _quadratic_here(text: str) -> bool:
    """Whether the text functions still take quadratic time on this input (4,000 characters of it
    take over 50 ms): a worker thread cannot pre-empt the regex engine, which holds the GIL."""
    from patarm.parsing import escape_tags, parse_judgment
    from patarm.prompts import PROMPT_TAGS
    from patarm.rubrics import HeuristicRouter, RubricSet, resolve_domain

    sample = text[:4000]
    started = time.perf_counter()
    escape_tags(sample, PROMPT_TAGS)
    resolve_domain(None, sample, RubricSet(), HeuristicRouter())
    parse_judgment(sample)
    return time.perf_counter() - started > 0.05


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_health_answers_while_an_adversarial_text_is_served(hard_server: Server, name: str) -> None:
    text = ADVERSARIAL[name]
    assert len(text) == 200_000
    if _quadratic_here(text):
        pytest.skip(f"{name}: the text functions are still quadratic on it (a thread cannot pre-empt re)")
    outcome: list[int] = []

    def hostile() -> None:
        items = [{"prompt": text, "response": text}]
        response = send(hard_server, "/v1/score", json.dumps({"items": items}).encode())
        outcome.append(response.status_code)
        send(hard_server, "/get_reward", json.dumps({"query": [CHAT.format(text)]}).encode())

    thread = threading.Thread(target=hostile)
    thread.start()
    latencies = []
    normal = None
    while thread.is_alive() or not latencies:
        started = time.perf_counter()
        assert httpx.get(hard_server.url + "/health", timeout=5).status_code == 200
        latencies.append(time.perf_counter() - started)
        if normal is None:
            normal = send(hard_server, "/v1/score", json.dumps({"items": [ITEM]}).encode())
        time.sleep(0.02)
    thread.join()
    assert normal is not None and normal.status_code == 200 and normal.json()["results"][0]["score"] == 7
    assert max(latencies) < 1.0, f"/health took up to {max(latencies):.3f} s"
    assert outcome and outcome[0] in (200, 504)
    print(f"{name}: /health max {max(latencies) * 1000:.1f} ms over {len(latencies)} probes")


def test_binding_all_interfaces_without_a_key_warns() -> None:
    cmd = [sys.executable, "-m", "patarm", "serve", "--host", "0.0.0.0", "--port", "0"]
    cmd += ["--backend", "python", "--model", ECHO, "--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if k != "PATARM_JUDGE_API_KEY"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None and "listening on" in proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "warning: listening on 0.0.0.0 without an API key" in err


def test_an_unexpected_exception_is_a_500_with_an_error_id_and_no_text(caplog: pytest.LogCaptureFixture) -> None:
    from patarm.backends import FunctionBackend
    from patarm.judges import PointwiseJudge
    from patarm.serve import ServerThread, ServeSettings, create_app

    app = create_app(PointwiseJudge(FunctionBackend(lambda p, s: "<answer>7</answer>")), ServeSettings(api_key=KEY))
    service = app.state.service

    def explode(request: Any) -> Any:
        raise RuntimeError("internal detail " + KEY)

    service._score_items = explode
    with caplog.at_level(logging.ERROR, logger="patarm.serve"), ServerThread(app) as server:
        response = httpx.post(server.url + "/v1/score", json={"items": [ITEM]}, headers=AUTH, timeout=30)
        metrics = httpx.get(server.url + "/metrics.json", headers=AUTH, timeout=10).json()
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error" and body["error_id"] in body["message"]
    assert "internal detail" not in response.text and "RuntimeError" not in response.text
    assert f"error id {body['error_id']}" in caplog.text and "RuntimeError: internal detail ***" in caplog.text
    assert KEY not in caplog.text
    assert metrics["errors"]["internal_error"] == 1 and metrics["responses"]["500"] == 1
