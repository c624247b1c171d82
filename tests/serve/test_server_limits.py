"""A real ``patarm serve`` against slow and greedy clients: a client that stalls in its headers or
its body is dropped after its deadline, connections past the cap (or past the open-file limit)
never lock out ``/health``, requests in flight past their cap get 503, a body of millions of tiny
labels is refused before it is decoded, and every text that reaches the judge (a label's prompt
included) obeys the same length limit."""

from __future__ import annotations

import json
import resource
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from patarm.backends import FunctionBackend
from patarm.judges import PointwiseJudge
from patarm.serve import ServerThread, ServeSettings, create_app
from serve_bodies import four_million_labels

Server = Any
ECHO = str(Path(__file__).parent / "echo_judge.py") + ":judge"
CHAT = "<|im_start|>user\nSay hi.<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>"


def app(**settings: Any) -> Any:
    return create_app(
        PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")), ServeSettings(**settings)
    )


def connect(url: str, data: bytes = b"") -> socket.socket:
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    if data:
        sock.sendall(data)
    return sock


def until_closed(sock: socket.socket, patience_s: float = 120.0) -> bytes:
    """Everything the server sends until it closes the connection (a generous bound, never reached when it works)."""
    sock.settimeout(patience_s)
    out = b""
    with sock:
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except ConnectionResetError:  # closed with our unread bytes in its buffer: closed all the same
            pass
    return out


def errors(url: str) -> dict[str, int]:
    return dict(httpx.get(url + "/metrics.json", timeout=10).json()["errors"])


def test_a_client_that_stalls_in_its_headers_is_dropped_while_health_answers() -> None:
    with ServerThread(app(header_timeout_s=1.0)) as server:
        stalled = connect(server.url, b"POST /v1/score HTTP/1.1\r\nHost: judge\r\n")  # and never the rest
        silent = connect(server.url)  # connects, says nothing
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
        answer = until_closed(stalled)
        assert answer.startswith(b"HTTP/1.1 408 ") and b"request headers did not arrive within 1 s" in answer
        assert until_closed(silent) == b""  # nothing asked, nothing answered: only closed
        assert errors(server.url)["header_timeout"] == 2


def test_a_client_that_stalls_in_its_body_is_dropped() -> None:
    with ServerThread(app(body_timeout_s=1.0)) as server:
        head = (
            b"POST /v1/score HTTP/1.1\r\nHost: judge\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        stalled = connect(server.url, head + b'{"items": [')  # 11 of the 1,000 bytes promised
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
        answer = until_closed(stalled)
        assert answer.startswith(b"HTTP/1.1 408 ") and b"request body did not arrive within 1 s" in answer
        assert errors(server.url)["body_timeout"] == 1
        item = {"prompt": "Say hi.", "response": "Hello"}
        assert httpx.post(server.url + "/v1/score", json={"items": [item]}, timeout=30).status_code == 200


def test_idle_connections_past_the_cap_evict_the_longest_waiting_and_health_answers() -> None:
    with ServerThread(app(max_connections=20, header_timeout_s=600)) as server:
        idle = [connect(server.url, b"GET /health HTTP/1.1\r\n") for _ in range(60)]
        try:
            assert httpx.get(server.url + "/health", timeout=60).status_code == 200
            assert until_closed(idle[0]) == b""  # the first to wait was the first evicted
            assert errors(server.url)["connection_evicted"] >= 40
        finally:
            for sock in idle:
                sock.close()


@pytest.mark.slow
def test_more_idle_connections_than_open_files_do_not_lock_out_health(fd_limited_server: Server) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    url = fd_limited_server.url
    idle: list[socket.socket] = []
    try:
        for _ in range(1100):  # each sends one header line, then nothing
            idle.append(connect(url, b"POST /get_reward HTTP/1.1\r\n"))
        started = time.monotonic()
        assert httpx.get(url + "/health", timeout=120).status_code == 200
        print(f"/health answered in {time.monotonic() - started:.3f} s beside 1,100 idle connections")
        assert errors(url)["connection_evicted"] >= 1100 - (1024 - 128)
    finally:
        for sock in idle:
            sock.close()


def test_requests_in_flight_past_the_cap_get_503_and_health_still_answers() -> None:
    with ServerThread(app(max_requests_in_flight=2)) as server:
        head = (
            b"POST /v1/score HTTP/1.1\r\nHost: judge\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        holders = [connect(server.url, head) for _ in range(2)]  # two bodies that take their time
        try:
            deadline = time.monotonic() + 60
            item = {"items": [{"prompt": "Say hi.", "response": "Hello"}]}
            while True:  # the holders count once the server has read their headers
                response = httpx.post(server.url + "/v1/score", json=item, timeout=30)
                if response.status_code == 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert response.status_code == 503 and response.json()["error"] == "busy"
            assert response.headers["retry-after"] == "1"
            assert httpx.get(server.url + "/health", timeout=10).status_code == 200
            assert errors(server.url)["busy"] >= 1
        finally:
            for sock in holders:
                sock.close()


def test_four_million_tiny_labels_are_refused_by_count() -> None:
    with ServerThread(app()) as server:
        body = four_million_labels()
        headers = {"content-type": "application/json"}
        response = httpx.post(server.url + "/get_reward", content=body, headers=headers, timeout=120)
        assert response.status_code == 413, response.text
        assert "labels: more than 1024 entries; the limit is 1024" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": [CHAT], "labels": [{"prompt": "x" * 1001}]}, "labels[0].prompt"),
        ({"query": [CHAT], "labels": [json.dumps({"prompt": "x" * 1001})]}, "labels[0]"),
        ({"query": [CHAT], "prompts": ["x" * 1001]}, "prompts[0]"),
        ({"query": [CHAT + "x" * 1001]}, "query[0]"),
    ],
    ids=["label-object", "label-json", "prompts", "query"],
)
def test_every_text_that_reaches_the_judge_has_the_same_limit(body: dict[str, Any], field: str) -> None:
    with ServerThread(app(max_text_chars=1000)) as server:
        response = httpx.post(server.url + "/get_reward", json=body, timeout=30)
        assert response.status_code == 413, response.text
        assert response.json()["message"].startswith(f"{field} has "), response.text
        assert "; the limit is 1000" in response.json()["message"]
        ok = {"query": [CHAT], "labels": [{"prompt": "Say hi."}]}
        assert httpx.post(server.url + "/get_reward", json=ok, timeout=30).status_code == 200


@pytest.mark.slow
def test_the_flags_reach_the_server(stall_server: Server) -> None:
    stalled = connect(stall_server.url, b"GET /health HTTP/1.1\r\n")
    assert until_closed(stalled).startswith(b"HTTP/1.1 408 ")
    settings = httpx.get(stall_server.url + "/health", timeout=10).json()["settings"]
    assert settings["header_timeout_s"] == 1.0 and settings["max_connections"] == 50
