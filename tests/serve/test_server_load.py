"""Load: 64 concurrent clients send 5,000 requests to a real server whose scripted judge scores each
response with the ID written in it, so every answer can be matched to its own request by content."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from patarm.testing.load import run_load

pytestmark = pytest.mark.slow

CLIENTS = 64
REQUESTS = 5000


def _request(ident: int) -> tuple[str, dict[str, Any]]:
    """Every 5th request goes through OpenRLHF's /get_reward, the others through /v1/score."""
    if ident % 5 == 0:
        prompt = f"<|im_start|>user\nTask {ident}: reply with your ID.<|im_end|>\n<|im_start|>assistant\n"
        query = prompt + f"My ID={ident}<|im_end|>"
        return "/get_reward", {"query": [query], "prompts": [prompt], "labels": [{"domain": "chat"}]}
    item = {"prompt": f"Task {ident}: reply with your ID.", "response": f"My ID={ident}", "domain": "chat"}
    return "/v1/score", {"items": [item]}


def _answered_id(path: str, body: dict[str, Any]) -> int:
    """The ID the server's answer carries (the scripted judge scores each response with its ID)."""
    if path == "/get_reward":
        assert body["extra_logs"]["judge_fallback"] == [0.0]
        return int(body["rewards"][0])
    (result,) = body["results"]
    assert result["rationale"] == f"ID={int(result['score'])}"
    return int(result["score"])


def test_5000_requests_from_64_clients_each_get_their_own_answer(echo_server: Any) -> None:
    before = echo_server.metrics()
    requests = [_request(i) for i in range(REQUESTS)]
    result = run_load(echo_server.url, requests, clients=CLIENTS)
    assert Counter(result.statuses) == Counter({200: REQUESTS}), [b for b in result.bodies if not isinstance(b, dict)][
        :3
    ]
    answered = [_answered_id(path, body) for (path, _), body in zip(requests, result.bodies, strict=True)]
    assert answered == list(range(REQUESTS))  # each request got its own answer: none lost, none swapped
    metrics = echo_server.metrics()
    batches = metrics["batches"]
    assert batches["items"] - before["batches"]["items"] == REQUESTS  # each item judged exactly once
    assert metrics["requests"]["/v1/score"] + metrics["requests"]["/get_reward"] >= REQUESTS
    assert batches["max_size"] > 1 and batches["mean_size"] > 1  # concurrent requests were batched
    assert batches["max_size"] <= 32
    assert metrics["errors"] == {} and metrics["malformed"] == 0
    assert metrics["latency_s"]["count"] >= REQUESTS and metrics["latency_s"]["p99"] > 0
