"""Faults against a real server (scripted judge, 1 s deadline, 4-item queue, one worker): a backend
that raises, one that hangs past the deadline, a client that disconnects, a full queue. Each time
the server stays up, answers the right error, and later requests succeed."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.slow


def score(server: Any, response: str, timeout: float = 30) -> httpx.Response:
    body = {"items": [{"prompt": "Reply with your ID.", "response": response, "domain": "chat"}]}
    return httpx.post(server.url + "/v1/score", json=body, timeout=timeout)


def assert_serves(server: Any, ident: int) -> None:
    response = score(server, f"ID={ident}")
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["score"] == ident


def test_backend_error_is_500_and_spares_the_rest_of_the_batch(fault_server: Any) -> None:
    fault_server.wait_idle()
    before = fault_server.metrics()
    with ThreadPoolExecutor(3) as pool:  # sent together: they share a batch (max wait 20 ms)
        jobs = [pool.submit(score, fault_server, text) for text in ("ID=11", "BOOM ID=12", "ID=13")]
        good, bad, other = (job.result() for job in jobs)
    assert bad.status_code == 500
    body = bad.json()
    assert body == {
        "error": "backend_error",
        "message": f"the judge backend failed (error id {body['error_id']}); the server log has the details",
        "error_id": body["error_id"],
    }
    assert "RuntimeError: boom: the scripted backend failed" in fault_server.log.read_text()  # the log has it
    assert good.json()["results"][0]["score"] == 11 and other.json()["results"][0]["score"] == 13
    metrics = fault_server.metrics()
    assert metrics["errors"]["backend_error"] - before["errors"].get("backend_error", 0) == 1
    assert metrics["batches"]["failed"] > before["batches"]["failed"]
    assert_serves(fault_server, 14)


def test_hanging_backend_times_out_with_504_and_the_server_stays_responsive(fault_server: Any) -> None:
    fault_server.wait_idle()
    with ThreadPoolExecutor(1) as pool:
        hung = pool.submit(score, fault_server, "SLEEP:2.5 ID=21")
        time.sleep(0.3)
        started = time.perf_counter()
        health = httpx.get(fault_server.url + "/health", timeout=5)
        assert health.status_code == 200 and time.perf_counter() - started < 0.5  # the event loop is free
        assert health.json()["running_batches"] == 1
        response = hung.result()
    assert response.status_code == 504
    assert response.json() == {
        "error": "timeout",
        "message": "the judge did not answer within 1 s (still judging); the request was dropped",
    }
    fault_server.wait_idle()
    assert_serves(fault_server, 22)


def _raw_post(url: str, body: bytes) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    head = (
        f"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def test_client_disconnect_drops_its_queued_work(fault_server: Any) -> None:
    fault_server.wait_idle()
    before = fault_server.metrics()
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(score, fault_server, "SLEEP:0.6 ID=31")  # holds the only worker
        time.sleep(0.15)
        body = b'{"items": [{"prompt": "Reply.", "response": "ID=32", "domain": "chat"}]}'
        sock = _raw_post(fault_server.url, body)
        time.sleep(0.15)
        assert httpx.get(fault_server.url + "/health", timeout=5).json()["queued_items"] == 1
        sock.close()  # the client goes away while its item waits
        deadline = time.monotonic() + 5
        while httpx.get(fault_server.url + "/health", timeout=5).json()["queued_items"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert busy.result().status_code == 200
    fault_server.wait_idle()
    metrics = fault_server.metrics()
    assert metrics["errors"]["disconnected"] - before["errors"].get("disconnected", 0) == 1
    assert metrics["items"] - before["items"] == 2
    assert metrics["batches"]["items"] - before["batches"]["items"] == 1  # the abandoned item was never judged
    assert_serves(fault_server, 33)


def test_full_queue_is_429_then_recovers(fault_server: Any) -> None:
    fault_server.wait_idle()
    results: dict[str, httpx.Response] = {}

    def send(name: str, text: str) -> None:
        results[name] = score(fault_server, text)

    threads = [threading.Thread(target=send, args=("busy", "SLEEP:0.8 ID=41"))]
    threads[0].start()
    time.sleep(0.15)  # the worker is busy; now fill the 4-item queue
    threads += [threading.Thread(target=send, args=(f"wait{i}", f"ID={42 + i}")) for i in range(4)]
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 5
    while httpx.get(fault_server.url + "/health", timeout=5).json()["queued_items"] < 4:
        assert time.monotonic() < deadline, "the queue did not fill"
        time.sleep(0.01)
    refused = score(fault_server, "ID=49")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "queue_full"
    assert "the judge queue is full (4 of 4 items waiting, 1 more asked)" in refused.json()["message"]
    for thread in threads:
        thread.join(10)
    assert results["busy"].status_code == 200
    for i in range(4):  # queued behind the busy call: answered, or timed out at the 1 s deadline
        assert results[f"wait{i}"].status_code in (200, 504)
    fault_server.wait_idle()
    assert_serves(fault_server, 50)
    assert fault_server.metrics()["errors"]["queue_full"] >= 1
    assert fault_server.proc.poll() is None  # the server process never died
