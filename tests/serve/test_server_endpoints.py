"""Every endpoint of a real ``patarm serve --backend tiny`` (the tiny random judge model): results,
OpenRLHF's protocol, validation errors (422), auth (401), size limits (413)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from patarm.testing import build_tiny_tokenizer

pytestmark = pytest.mark.slow

API_KEY = "test-secret-key"  # what the tiny_server fixture sets
AUTH = {"Authorization": f"Bearer {API_KEY}"}
Server = Any
ITEM = {"prompt": "Answer in exactly three bullet points: why is the sky blue?", "response": "- light\n- air\n- eyes"}


def post(server: Server, path: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers=AUTH if headers is None else headers, timeout=60)


def test_health_is_open_and_describes_the_server_only_to_the_key_holder(tiny_server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = httpx.get(tiny_server.url + "/health", headers=headers, timeout=10)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
    response = httpx.get(tiny_server.url + "/health", headers=AUTH, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["model"] == "tiny" and body["scale"] == [1.0, 10.0]
    assert "instruction_following" in body["domains"] and body["chat_template"] == "chatml"
    assert body["settings"]["auth"] is True and "api_key" not in json.dumps(body["settings"])
    assert body["settings"]["max_batch_size"] == 8


def test_score_returns_one_typed_result_per_item(tiny_server: Server) -> None:
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 17 * 24?"}]
    items = [ITEM, {"prompt": chat, "response": "408", "domain": "math"}]
    response = post(tiny_server, "/v1/score", {"items": items, "include_samples": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scale"] == [1.0, 10.0]
    first, second = body["results"]
    assert first["domain"] == "instruction_following" and second["domain"] == "math"  # routed, then given
    for result in (first, second):
        assert result["samples"] == 1 and len(result["judgments"]) == 1
        assert (result["score"] is None) == (result["malformed_reason"] is not None)
        assert result["malformed"] == (result["score"] is None)
        judgment = result["judgments"][0]
        assert judgment["raw"] and (judgment["score"] is None) == (judgment["malformed_reason"] is not None)
    plain = post(tiny_server, "/v1/score", {"items": [ITEM]}).json()["results"][0]
    assert plain["judgments"] is None


def test_get_reward_reads_the_policy_chat_template(tiny_server: Server) -> None:
    tokenizer = build_tiny_tokenizer()
    queries, prompts = [], []
    for question in ("Write a haiku about rain, in lowercase.", "What is 2+2?"):
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": question}], tokenize=False, add_generation_prompt=True
        )
        prompts.append(prompt)
        queries.append(prompt + "An answer.<|im_end|>")
    labels = [json.dumps({"domain": "chat"}), {"instruction_id_list": ["change_case:english_lowercase"]}]
    body = {"query": [*queries, "no chat markers here"], "prompts": [*prompts, None], "labels": [*labels, None]}
    response = post(tiny_server, "/get_reward", body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert set(out["extra_logs"]) == {"judge_malformed", "judge_fallback", "judge_split_failed"}
    assert all(len(v) == 3 for v in (out["rewards"], out["scores"], *out["extra_logs"].values()))
    assert out["extra_logs"]["judge_split_failed"] == [0.0, 0.0, 1.0]
    for reward, score, fell_back in zip(
        out["rewards"], out["scores"], out["extra_logs"]["judge_fallback"], strict=True
    ):
        assert 0.0 <= score <= 1.0
        if fell_back:
            assert reward == 1.0  # the fallback: the scale's low end, and counted
        else:
            assert 1.0 <= reward <= 10.0
    metrics = tiny_server.metrics(AUTH)
    assert metrics["split_failures"] >= 1 and metrics["fallbacks"] >= 1


def test_metrics_counts_requests_batches_and_latency(tiny_server: Server) -> None:
    post(tiny_server, "/v1/score", {"items": [ITEM, ITEM, ITEM]})
    metrics = tiny_server.metrics(AUTH)
    assert metrics["requests"]["/v1/score"] >= 1 and metrics["responses"]["200"] >= 1
    assert metrics["batches"]["count"] >= 1 and metrics["batches"]["max_size"] >= 3
    assert metrics["latency_s"]["count"] >= 1 and metrics["latency_s"]["p50"] > 0
    assert 0.0 <= metrics["malformed_rate"] <= 1.0 and metrics["judged"] >= 3


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/v1/score", {"items": [{"prompt": "x"}]}, "items.0.response: Field required"),
        ("/v1/score", {"items": []}, "items: List should have at least 1 item"),
        ("/v1/score", {"items": [{"prompt": 3, "response": "x"}]}, "items.0.prompt"),
        ("/v1/score", {"items": [{**ITEM, "extra": 1}]}, "items.0.extra: Extra inputs are not permitted"),
        ("/v1/score", {"items": [{**ITEM, "domain": "poetry"}]}, "unknown domain 'poetry' (known: chat, code"),
        ("/v1/score", [1, 2], "Input should be a valid dictionary"),
        ("/get_reward", {"prompts": ["x"]}, "query: Field required"),
        ("/get_reward", {"query": ["a", "b"], "prompts": ["a"]}, "prompts has 1 entries for 2 queries"),
        ("/get_reward", {"query": ["a"], "labels": [{"domain": "poetry"}]}, "labels[0]: unknown domain 'poetry'"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(tiny_server: Server, path: str, body: object, says: str) -> None:
    response = post(tiny_server, path, body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"
    assert says in response.json()["message"]


def test_invalid_json_is_422(tiny_server: Server) -> None:
    headers = {**AUTH, "content-type": "application/json"}
    response = httpx.post(tiny_server.url + "/v1/score", content=b"{not json", headers=headers, timeout=10)
    assert response.status_code == 422 and "JSON" in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": API_KEY}],
    ids=["none", "wrong-bearer", "wrong-x-api-key", "no-scheme"],
)
def test_missing_or_wrong_key_is_401(tiny_server: Server, headers: dict[str, str]) -> None:
    for path, body in (("/v1/score", {"items": [ITEM]}), ("/get_reward", {"query": ["x"]})):
        response = post(tiny_server, path, body, headers)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    assert httpx.get(tiny_server.url + "/metrics", headers=headers, timeout=10).status_code == 401


def test_the_key_is_accepted_three_ways(tiny_server: Server) -> None:
    assert post(tiny_server, "/v1/score", {"items": [ITEM]}, {"X-API-Key": API_KEY}).status_code == 200
    url = f"/get_reward?api_key={API_KEY}"  # OpenRLHF's client cannot set headers
    assert post(tiny_server, url, {"query": ["x"]}, {}).status_code == 200


def test_size_limits_are_413(tiny_server: Server) -> None:
    big = {"items": [{"prompt": "x", "response": "y" * 70_000}]}
    response = post(tiny_server, "/v1/score", big)
    assert response.status_code == 413 and "larger than the limit of 65536 bytes" in response.json()["message"]

    def chunks():  # no Content-Length: the server must count as it reads
        yield b'{"items": [{"prompt": "x", "response": "'
        for _ in range(40):
            yield b"y" * 2000
        yield b'"}]}'

    headers = {**AUTH, "content-type": "application/json"}
    response = httpx.post(tiny_server.url + "/v1/score", content=chunks(), headers=headers, timeout=10)
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    response = post(tiny_server, "/v1/score", {"items": [ITEM] * 9})
    assert response.status_code == 413 and "items: more than 8 entries; the limit is 8" in response.json()["message"]
    response = post(tiny_server, "/v1/score", {"items": [{"prompt": "x", "response": "y" * 2001}]})
    assert response.status_code == 413 and "items[0].response has 2001 characters; the limit is 2000" in response.text
    response = post(tiny_server, "/get_reward", {"query": ["q" * 2001]})
    assert response.status_code == 413 and "query[0]" in response.text
    assert post(tiny_server, "/v1/score", {"items": [ITEM]}).status_code == 200  # and it still serves
