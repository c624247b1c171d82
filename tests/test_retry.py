"""The one retry policy (patarm._retry) and both of its users, the OpenAI-compatible backend and the
judge-server client, sync and async, against a real local HTTP server answering 429 / 503 with
Retry-After."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm._retry import RetriesExhausted, Retry, RetryPolicy, aretry_call, retry_call
from patarm.backends import OpenAIBackend, SamplingParams
from patarm.backends._openai import BackendError
from patarm.policy_rewards import JudgeClient, JudgeServerError


@given(
    attempt=st.integers(1, 12),
    backoff=st.floats(0, 5),
    jitter=st.floats(0, 1),
    cap=st.floats(0, 100),
    seed=st.integers(0, 2**32),
)
def test_backoff_grows_with_jitter_and_stays_under_the_cap(
    attempt: int, backoff: float, jitter: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(backoff_s=backoff, jitter=jitter, max_delay_s=cap)
    delay = policy.delay(attempt, rng=random.Random(seed))
    base = backoff * 2 ** (attempt - 1)
    assert min(base, cap) <= delay + 1e-9 and delay <= min(base * (1 + jitter), cap) + 1e-9


@given(hint=st.floats(-10, 1e6), cap=st.floats(0, 100))
def test_retry_after_wins_over_backoff_and_is_capped(hint: float, cap: float) -> None:
    assert RetryPolicy(backoff_s=3.0, max_delay_s=cap).delay(2, retry_after=hint) == min(max(hint, 0.0), cap)


def test_retries_stop_after_max_retries_and_at_the_deadline() -> None:
    calls: list[float | None] = []

    def always(left: float | None) -> None:
        calls.append(left)
        raise Retry("HTTP 503: busy", retry_after=0.0, status=503)

    with pytest.raises(RetriesExhausted, match=r"HTTP 503: busy after 3 attempts \(retries used up\)"):
        retry_call(RetryPolicy(max_retries=2), always)
    assert calls == [None, None, None]
    calls.clear()
    with pytest.raises(RetriesExhausted, match="the deadline came") as info:
        retry_call(RetryPolicy(max_retries=100, deadline_s=0.5), _wait)
    assert info.value.attempts == 1


def _wait(left: float | None) -> None:
    raise Retry("HTTP 429: slow down", retry_after=5.0, status=429)  # longer than the 0.5 s left


def test_the_async_loop_cancels_an_attempt_at_the_deadline() -> None:
    async def hang(left: float | None) -> None:
        await asyncio.sleep(30)

    started = time.monotonic()
    with pytest.raises(RetriesExhausted, match="deadline"):
        asyncio.run(aretry_call(RetryPolicy(deadline_s=0.3), hang))
    assert time.monotonic() - started < 20  # generous: a missing deadline would wait 30 s per attempt


class Busy:
    """An ASGI app: per path, 429 (Retry-After: RETRY_AFTER s), then 503 (Retry-After: 0), then success."""

    RETRY_AFTER = 0.4

    def __init__(self) -> None:
        self.attempts: dict[str, list[float]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        seen = self.attempts.setdefault(path, [])
        seen.append(time.monotonic())
        while (await receive()).get("more_body"):
            pass
        if len(seen) == 1:
            status, headers, body = 429, [(b"retry-after", str(self.RETRY_AFTER).encode())], {"message": "busy"}
        elif len(seen) == 2:
            status, headers, body = 503, [(b"retry-after", b"0")], {"message": "restarting"}
        elif path.endswith("/chat/completions"):
            status, headers, body = 200, [], {"choices": [{"message": {"content": "<answer>6</answer>"}}]}
        else:
            status, headers, body = 200, [], {"results": [{"score": 4.0, "domain": "chat"}], "scale": [1, 10]}
        raw = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *headers],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def waited(times: list[float]) -> float:
    return times[1] - times[0]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_judge_client_honours_retry_after_through_429_and_503(mode: str) -> None:
    from patarm.serve import ServerThread

    app = Busy()
    with ServerThread(app) as running:
        client = JudgeClient(running.url, backoff_s=5.0)  # backoff alone would wait 5 s: Retry-After must win
        items = [{"prompt": "a", "response": "b"}]
        (result,) = client.score(items) if mode == "sync" else asyncio.run(client.ascore(items))
    times = app.attempts["/v1/score"]
    assert result.score == 4.0 and len(times) == 3
    assert waited(times) >= Busy.RETRY_AFTER * 0.9 and waited(times) < 5.0


@pytest.mark.slow
def test_judge_client_gives_up_at_its_deadline() -> None:
    from patarm.serve import ServerThread

    app = Busy()
    app.RETRY_AFTER = 30.0
    with (
        ServerThread(app) as running,
        pytest.raises(JudgeServerError, match=r"HTTP 429: busy after 1 attempt.*deadline"),
    ):
        JudgeClient(running.url, deadline_s=2.0).score([{"prompt": "a", "response": "b"}])
    assert len(app.attempts["/v1/score"]) == 1


@pytest.mark.slow
def test_openai_backend_shares_the_policy() -> None:
    from patarm.serve import ServerThread

    app = Busy()
    with ServerThread(app) as running:
        backend = OpenAIBackend(running.url, "m", backoff_s=5.0, jitter_seed=None)
        out = backend.generate([[{"role": "user", "content": "rate"}]], SamplingParams())
        assert out[0][0].text == "<answer>6</answer>" and backend.retries == 2
        times = app.attempts["/v1/chat/completions"]
        assert waited(times) >= Busy.RETRY_AFTER * 0.9 and waited(times) < 5.0
        slow = Busy()
        slow.RETRY_AFTER = 30.0
    with ServerThread(slow) as running, pytest.raises(BackendError, match="deadline"):
        OpenAIBackend(running.url, "m", deadline_s=1.0).generate(["x"], SamplingParams())
