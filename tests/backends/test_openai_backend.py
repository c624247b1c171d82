"""OpenAIBackend against a real ``transformers serve`` of the tiny model (slow), a fault-injecting
local server (retries, timeouts, error statuses, response formats) and an in-memory transport
(request bodies, the n top-up property)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm._retry import retry_after
from patarm.backends import Completion, OpenAIBackend, SamplingParams, TokenLogprobs, sample_seed
from patarm.backends._openai import BackendError
from patarm.testing.servers import ServerUnavailable, free_port, transformers_serve

FAST: dict[str, Any] = {"backoff_s": 0.01, "timeout_s": 5.0}


# ----- a fault-injecting server -----


def _ok_payload(endpoint: str, body: dict[str, Any], count: int = 1) -> dict[str, Any]:
    """A well-formed reply with ``count`` choices whose text names the request's seed."""
    chat = endpoint == "chat/completions"
    choices = []
    for c in range(count):
        text = f"ok:{body.get('seed')}:{c}"
        choice: dict[str, Any] = {"index": c, "finish_reason": "stop"}
        choice.update({"message": {"role": "assistant", "content": text}} if chat else {"text": text})
        choices.append(choice)
    return {
        "object": "chat.completion" if chat else "text_completion",
        "choices": choices,
        "usage": {"completion_tokens": 3},
    }


CHAT_LOGPROBS = {
    "content": [
        {"token": "<answer>", "logprob": -0.1, "bytes": [60], "top_logprobs": [{"token": "<answer>", "logprob": -0.1}]},
        {
            "token": "7",
            "logprob": -0.5,
            "top_logprobs": [{"token": "7", "logprob": -0.5}, {"token": "8", "logprob": -1.5}],
        },
    ],
    "refusal": None,
}
TEXT_LOGPROBS = {
    "tokens": ["<answer>", "7"],
    "token_logprobs": [-0.1, -0.5],
    "top_logprobs": [{"<answer>": -0.1}, {"7": -0.5, "8": -1.5}],
    "text_offset": [0, 8],
}
EXPECTED_TOKENS = (
    TokenLogprobs("<answer>", -0.1, {"<answer>": -0.1}),
    TokenLogprobs("7", -0.5, {"7": -0.5, "8": -1.5}),
)


class FaultServer:
    """POST /{scenario}/{token}/v1/{endpoint}: behaves as ``scenario`` says; counts attempts per token."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = defaultdict(int)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)
        self.headers: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.port = 0
        self._tokens = 0

    def base_url(self, scenario: str) -> tuple[str, str]:
        """A fresh (base_url, token) pair, so each test sees its own counters."""
        self._tokens += 1
        token = f"t{self._tokens}"
        return f"http://127.0.0.1:{self.port}/{scenario}/{token}/v1", token

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        async def handle(request: Request) -> Response:
            scenario, token, endpoint = (request.path_params[k] for k in ("scenario", "token", "endpoint"))
            self.attempts[token] += 1
            attempt = self.attempts[token]
            self.headers[token].append(dict(request.headers))
            body = await request.json()
            self.in_flight[token] += 1
            self.peak[token] = max(self.peak[token], self.in_flight[token])
            try:
                if scenario == "fail500x2" and attempt <= 2:
                    return JSONResponse({"error": {"message": "boom"}}, status_code=500)
                if scenario == "ratelimit" and attempt == 1:
                    return JSONResponse({"error": {"message": "slow down"}}, 429, headers={"Retry-After": "0"})
                if scenario == "always503":
                    return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
                if scenario == "unauthorized":
                    return JSONResponse({"error": {"message": "Incorrect API key provided"}}, status_code=401)
                if scenario == "badrequest":
                    return JSONResponse({"detail": "max_tokens is too large"}, status_code=400)
                if scenario == "notfound":
                    return JSONResponse({"detail": "Not Found"}, status_code=404)
                if scenario == "slow":
                    await asyncio.sleep(2.0)
                if scenario == "badjson":
                    return Response("{not json", media_type="application/json")
                if scenario == "nochoices":
                    return JSONResponse({"choices": []})
                if scenario == "concurrency":
                    await asyncio.sleep(0.05)
                payload = _ok_payload(endpoint, body, body.get("n", 1) if scenario == "native" else 1)
                if scenario == "logprobs":
                    payload["choices"][0]["logprobs"] = CHAT_LOGPROBS if "messages" in body else TEXT_LOGPROBS
                    payload["choices"][0].update({"message": {"content": "<answer>7"}} if "messages" in body else {})
                return JSONResponse(payload)
            finally:
                self.in_flight[token] -= 1

        return Starlette(routes=[Route("/{scenario}/{token}/v1/{endpoint:path}", handle, methods=["POST"])])


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultServer]:
    pytest.importorskip("starlette")
    uvicorn = pytest.importorskip("uvicorn")
    fault = FaultServer()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fault.port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fault.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the fault server did not start")
        time.sleep(0.01)
    yield fault
    server.should_exit = True
    thread.join(10)
    sock.close()


PROMPT = [{"role": "user", "content": "judge this"}]


def test_500_twice_then_success(faults: FaultServer) -> None:
    url, token = faults.base_url("fail500x2")
    backend = OpenAIBackend(url, "m", **FAST)
    out = backend.generate([PROMPT], SamplingParams(seed=3))
    assert out[0][0].text == f"ok:{sample_seed(3, PROMPT, 0)}:0"
    assert faults.attempts[token] == 3
    assert (backend.requests, backend.retries, backend.failures) == (3, 2, 0)


def test_429_honours_retry_after(faults: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    url, token = faults.base_url("ratelimit")
    # Backoff alone would wait 1s or more; Retry-After: 0 says go again at once.
    backend = OpenAIBackend(url, "m", backoff_s=1.0, jitter_seed=None)
    with caplog.at_level(logging.WARNING, logger="patarm.backends._openai"):
        out = backend.generate(["a text prompt"], SamplingParams())
    assert out[0][0].text.startswith("ok:")
    assert faults.attempts[token] == 2 and backend.retries == 1
    assert "HTTP 429" in caplog.text and "retrying in 0.00s" in caplog.text


def test_retry_delay_and_retry_after_parsing() -> None:
    backend = OpenAIBackend("http://127.0.0.1:1", "m", backoff_s=0.5, jitter_seed=None)
    assert [backend.retry_delay(a) for a in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backend.retry_delay(1, retry_after=3.0) == 3.0
    assert backend.retry_delay(1, retry_after=1e6) == 60.0
    jittered = OpenAIBackend("http://127.0.0.1:1", "m", backoff_s=0.5, jitter_seed=1)
    again = OpenAIBackend("http://127.0.0.1:1", "m", backoff_s=0.5, jitter_seed=1)
    delays = [jittered.retry_delay(2) for _ in range(5)]
    assert delays == [again.retry_delay(2) for _ in range(5)]
    assert all(1.0 <= d <= 1.5 for d in delays)
    assert retry_after(httpx.Response(429, headers={"Retry-After": "2"}).headers) == 2.0
    assert retry_after(httpx.Response(429).headers) is None
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"}).headers) is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    delay = retry_after(httpx.Response(429, headers={"Retry-After": future}).headers)
    assert delay is not None and 20 < delay <= 31


def test_always_503_gives_up_after_max_retries(faults: FaultServer) -> None:
    url, token = faults.base_url("always503")
    backend = OpenAIBackend(url, "m", max_retries=2, **FAST)
    with pytest.raises(BackendError) as info:
        backend.generate([PROMPT], SamplingParams())
    message = str(info.value)
    assert f"{url}/chat/completions" in message and "HTTP 503" in message and "overloaded" in message
    assert "3 attempts" in message
    assert faults.attempts[token] == 3
    assert (backend.requests, backend.retries, backend.failures) == (3, 2, 1)


@pytest.mark.parametrize(
    ("scenario", "status", "says"),
    [
        ("unauthorized", 401, "$PATARM_TEST_KEY"),
        ("badrequest", 400, "max_tokens is too large"),
        ("notfound", 404, "check base_url"),
    ],
)
def test_client_errors_are_not_retried(faults: FaultServer, scenario: str, status: int, says: str) -> None:
    url, token = faults.base_url(scenario)
    backend = OpenAIBackend(url, "m", api_key_env="PATARM_TEST_KEY", **FAST)
    with pytest.raises(BackendError, match=f"HTTP {status}") as info:
        backend.generate(["x"], SamplingParams())
    assert says in str(info.value)
    assert faults.attempts[token] == 1 and backend.retries == 0 and backend.failures == 1


def test_unauthorized_message_shows_the_server_message(faults: FaultServer) -> None:
    url, _ = faults.base_url("unauthorized")
    with pytest.raises(BackendError, match="Incorrect API key provided"):
        OpenAIBackend(url, "m", **FAST).generate(["x"], SamplingParams())


def test_slow_responses_time_out_and_are_retried(faults: FaultServer) -> None:
    url, _ = faults.base_url("slow")
    backend = OpenAIBackend(url, "m", timeout_s=0.2, max_retries=1, backoff_s=0.01)
    with pytest.raises(BackendError, match="timed out") as info:
        backend.generate(["x"], SamplingParams())
    assert "2 attempts" in str(info.value) and url in str(info.value)
    assert backend.requests == 2 and backend.retries == 1


def test_server_down_names_the_connect_failure() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    backend = OpenAIBackend(url, "m", max_retries=1, backoff_s=0.01)
    with pytest.raises(BackendError, match="ConnectError") as info:
        backend.generate(["x"], SamplingParams())
    assert f"{url}/v1/chat/completions" in str(info.value) and "2 attempts" in str(info.value)
    assert backend.requests == 2


@pytest.mark.parametrize("chat", [True, False])
def test_logprobs_are_parsed_from_either_format(faults: FaultServer, chat: bool) -> None:
    url, _ = faults.base_url("logprobs")
    backend = OpenAIBackend(url, "m", chat=chat, **FAST)
    (completion,) = backend.generate(["score it"], SamplingParams(logprobs=2))[0]
    assert completion.tokens == EXPECTED_TOKENS
    assert completion.num_tokens == 2 and completion.finish_reason == "stop"


def test_logprobs_missing_from_reply_leave_tokens_none(faults: FaultServer) -> None:
    url, _ = faults.base_url("ok")
    out = OpenAIBackend(url, "m", **FAST).generate(["x", PROMPT], SamplingParams(n=2, logprobs=3))
    assert all(c.tokens is None and c.num_tokens == 3 for cs in out for c in cs)


@pytest.mark.parametrize(("scenario", "says"), [("badjson", "not JSON"), ("nochoices", "no choices")])
def test_malformed_replies_are_backend_errors(faults: FaultServer, scenario: str, says: str) -> None:
    url, token = faults.base_url(scenario)
    backend = OpenAIBackend(url, "m", **FAST)
    with pytest.raises(BackendError, match=says):
        backend.generate(["x"], SamplingParams())
    assert faults.attempts[token] == 1 and backend.failures == 1


def test_max_concurrency_bounds_requests_in_flight(faults: FaultServer) -> None:
    url, token = faults.base_url("concurrency")
    backend = OpenAIBackend(url, "m", max_concurrency=3, **FAST)
    out = backend.generate([f"p{i}" for i in range(12)], SamplingParams(n=2, seed=5))
    assert [c.text for cs in out for c in cs] == [
        f"ok:{sample_seed(5, 'p' + str(i), j)}:0" for i in range(12) for j in range(2)
    ]
    assert faults.attempts[token] == 24 and backend.top_ups == 12
    assert faults.peak[token] <= 3 and backend.max_in_flight == 3


def test_native_n_is_one_request_when_the_server_honours_it(faults: FaultServer) -> None:
    url, token = faults.base_url("native")
    backend = OpenAIBackend(url, "m", **FAST)
    out = backend.generate([PROMPT], SamplingParams(n=4, seed=1))
    assert [c.text for c in out[0]] == [f"ok:{sample_seed(1, PROMPT, 0)}:{c}" for c in range(4)]
    assert faults.attempts[token] == 1 and backend.top_ups == 0
    # usage counts all four choices together, so no per-choice count is made up
    assert all(c.num_tokens is None for c in out[0])


def test_generate_inside_a_running_loop_and_agenerate(faults: FaultServer) -> None:
    url, _ = faults.base_url("ok")
    backend = OpenAIBackend(url, "m", **FAST)

    async def main() -> tuple[list[list[Completion]], list[list[Completion]]]:
        return backend.generate(["x"], SamplingParams()), await backend.agenerate(["x"], SamplingParams())

    blocking, awaited = asyncio.run(main())
    assert blocking == awaited and blocking[0][0].text.startswith("ok:")
    assert backend.generate([], SamplingParams()) == []


def test_api_key_header(faults: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATARM_TEST_KEY", "sk-from-env")
    for kwargs, expected in [
        ({"api_key": "sk-explicit"}, "Bearer sk-explicit"),
        ({}, "Bearer sk-from-env"),
        ({"api_key_env": "PATARM_UNSET_KEY"}, None),
    ]:
        url, token = faults.base_url("ok")
        backend = OpenAIBackend(url, "m", **{"api_key_env": "PATARM_TEST_KEY", **kwargs})  # type: ignore[arg-type]
        backend.generate(["x"], SamplingParams())
        assert faults.headers[token][0].get("authorization") == expected
        assert "sk-" not in repr(backend)


# ----- request bodies, over an in-memory transport -----


def _recording(
    choices: Callable[[dict[str, Any]], int] = lambda body: 1,
) -> tuple[httpx.MockTransport, list[tuple[str, dict[str, Any]]]]:
    """A transport that answers ``choices(body)`` choices whose text is ``{prompt}|{seed}|{index}``."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((str(request.url), body))
        prompt = body["prompt"] if "prompt" in body else body["messages"][-1]["content"]
        texts = [f"{prompt}|{body.get('seed')}|{c}" for c in range(choices(body))]
        if "prompt" in body:
            return httpx.Response(200, json={"choices": [{"index": c, "text": t} for c, t in enumerate(texts)]})
        items = [{"index": c, "message": {"content": t}} for c, t in enumerate(texts)]
        return httpx.Response(200, json={"choices": items})

    return httpx.MockTransport(handle), seen


def test_request_bodies_and_routing() -> None:
    transport, seen = _recording()
    params = SamplingParams(n=2, temperature=0.7, top_p=0.9, max_new_tokens=16, seed=4, logprobs=3, stop=("</a>",))
    text = OpenAIBackend("http://h:1/", "judge", chat=False, extra_body={"top_k": 5}, transport=transport)
    text.generate(["plain", PROMPT], params)
    chat = OpenAIBackend("http://h:1/api/v1", "judge", transport=transport)
    chat.generate(["wrapped"], SamplingParams(max_new_tokens=16, seed=None))
    by_prompt = {
        json.dumps(body.get("prompt", body.get("messages"))) + str(body.get("seed")): (u, body) for u, body in seen
    }
    url, body = by_prompt['"plain"' + str(sample_seed(4, "plain", 0))]
    assert url == "http://h:1/v1/completions"
    assert body == {
        "model": "judge",
        "prompt": "plain",
        "logprobs": 3,
        "temperature": 0.7,
        "top_p": 0.9,
        "max_tokens": 16,
        "n": 2,
        "stop": ["</a>"],
        "seed": sample_seed(4, "plain", 0),
        "top_k": 5,
    }
    url, body = by_prompt[json.dumps(PROMPT) + str(sample_seed(4, PROMPT, 0))]
    assert url == "http://h:1/v1/chat/completions"
    assert body["messages"] == PROMPT and body["logprobs"] is True and body["top_logprobs"] == 3
    url, body = by_prompt[json.dumps([{"role": "user", "content": "wrapped"}]) + "None"]
    assert url == "http://h:1/api/v1/chat/completions"
    assert "seed" not in body and "n" not in body and "stop" not in body and "logprobs" not in body


def test_same_seed_same_request_bodies() -> None:
    def bodies(seed: int, native_n: bool) -> list[str]:
        transport, seen = _recording()
        backend = OpenAIBackend("http://h:1", "m", native_n=native_n, transport=transport)
        backend.generate(["a", "b", PROMPT], SamplingParams(n=3, seed=seed))
        return sorted(json.dumps(body, sort_keys=True) for _, body in seen)

    assert bodies(11, True) == bodies(11, True) and bodies(11, False) == bodies(11, False)
    assert bodies(11, True) != bodies(12, True)
    singles = [json.loads(b) for b in bodies(11, False)]
    assert all("n" not in b for b in singles)
    expected = [sample_seed(11, p, j) for p in ("a", "b", PROMPT) for j in range(3)]
    assert sorted(b["seed"] for b in singles) == sorted(s for s in expected if s is not None)


@given(
    n=st.integers(1, 5),
    native_counts=st.lists(st.integers(1, 7), min_size=1, max_size=4),
    single_count=st.integers(1, 3),
    native_n=st.booleans(),
    chat=st.booleans(),
    seed=st.none() | st.integers(0, 2**31 - 2),
)
def test_exactly_n_completions_per_prompt_in_order(
    n: int, native_counts: list[int], single_count: int, native_n: bool, chat: bool, seed: int | None
) -> None:
    prompts = [f"p{i}" for i in range(len(native_counts))]
    # the server returns native_counts[i] choices whatever n asks for, and single_count to a one-sample request
    transport, seen = _recording(lambda body: native_counts[int(_prompt_of(body)[1:])] if "n" in body else single_count)
    backend = OpenAIBackend("http://h:1", "m", chat=chat, native_n=native_n, max_concurrency=3, transport=transport)
    out = backend.generate(prompts, SamplingParams(n=n, seed=seed))
    assert [len(cs) for cs in out] == [n] * len(prompts)
    for i, cs in enumerate(out):
        native = min(native_counts[i], n) if native_n and n > 1 else 0
        expected = [f"p{i}|{sample_seed(seed, prompts[i], 0)}|{c}" for c in range(native)]
        expected += [f"p{i}|{sample_seed(seed, prompts[i], j)}|0" for j in range(native, n)]
        assert [c.text for c in cs] == expected
    assert backend.requests == len(seen) and backend.retries == 0


def _prompt_of(body: dict[str, Any]) -> str:
    return str(body["prompt"] if "prompt" in body else body["messages"][-1]["content"])


def test_constructor_checks() -> None:
    for bad in [{"max_concurrency": 0}, {"timeout_s": 0}, {"max_retries": -1}, {"backoff_s": -1}]:
        with pytest.raises(ValueError):
            OpenAIBackend("http://h:1", "m", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="http://"):
        OpenAIBackend("localhost:8000", "m")
    assert OpenAIBackend("http://h:1/v1/", "m").base_url == "http://h:1/v1"
    assert OpenAIBackend("https://h/openai", "m").base_url == "https://h/openai"


# ----- a real server: transformers serve of the tiny model -----


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base_url, model) of ``transformers serve`` running the tiny model on a free local port."""
    from patarm.testing import save_tiny_model

    root = tmp_path_factory.mktemp("tiny-serve")
    model = str(save_tiny_model(root / "model"))
    # one torch thread: other load on a small machine then slows the server down instead of stalling it
    try:
        with transformers_serve(model, root, threads=1) as url:
            yield url, model
    except ServerUnavailable as exc:
        pytest.skip(str(exc))


# transformers serve samples only when the model's generation config says so (the tiny model's
# is greedy); its own `generation_config` field (a JSON string) turns sampling on.
SAMPLING = {"generation_config": json.dumps({"do_sample": True})}
# A shared CPU can queue requests for a while; the real-server tests are not about timeouts.
REAL: dict[str, Any] = {"backoff_s": 0.01, "timeout_s": 120.0}


@pytest.mark.slow
def test_real_chat_and_text_prompts(tiny_server: tuple[str, str]) -> None:
    url, model = tiny_server
    params = SamplingParams(temperature=0, max_new_tokens=8)
    chat = OpenAIBackend(url, model, **REAL).generate([PROMPT, "a text prompt"], params)
    text = OpenAIBackend(url, model, chat=False, **REAL).generate(["The quick brown fox"], params)
    for completion in [*chat[0], *chat[1], *text[0]]:
        assert isinstance(completion.text, str) and completion.finish_reason in ("stop", "length")
        assert completion.num_tokens is not None and 1 <= completion.num_tokens <= 8
        assert completion.tokens is None
    assert text[0][0].text  # plain continuation of the raw text


@pytest.mark.slow
def test_real_n_samples_per_prompt_in_order(tiny_server: tuple[str, str]) -> None:
    url, model = tiny_server
    prompts = ["The quick brown fox", "What is 17 * 24?", "def f(x): return", "Write a poem about the sea."]
    params = SamplingParams(n=3, temperature=0, max_new_tokens=6)
    backend = OpenAIBackend(url, model, chat=False, max_concurrency=4, **REAL)
    out = backend.generate(prompts, params)
    assert [len(cs) for cs in out] == [3] * len(prompts)
    # greedy has one answer: one request per prompt, copied n times (no n, no top-ups)
    assert backend.top_ups == 0 and backend.requests == len(prompts)
    # greedy, so every sample of a prompt matches that prompt generated alone: the order is kept
    alone = [OpenAIBackend(url, model, chat=False, **REAL).generate([p], params)[0][0].text for p in prompts]
    assert [[c.text for c in cs] for cs in out] == [[t] * 3 for t in alone]
    assert len(set(alone)) > 1


@pytest.mark.slow
def test_real_seed_reproduces(tiny_server: tuple[str, str]) -> None:
    # transformers serve honours `seed` by seeding torch's global generator when a request arrives,
    # so a seed only pins a sample when requests run one at a time: max_concurrency=1.
    url, model = tiny_server
    backend = OpenAIBackend(url, model, max_concurrency=1, extra_body=SAMPLING, **REAL)
    prompts = [PROMPT, [{"role": "user", "content": "What is 17 * 24?"}]]

    def texts(seed: int) -> list[list[str]]:
        out = backend.generate(prompts, SamplingParams(n=3, temperature=1.0, max_new_tokens=8, seed=seed))
        return [[c.text for c in cs] for cs in out]

    first = texts(7)
    assert texts(7) == first
    assert all(len(set(samples)) > 1 for samples in first)  # each sample has its own seed
    assert texts(8) != first


@pytest.mark.slow
def test_real_logprobs_absent_and_concurrency_bounded(tiny_server: tuple[str, str]) -> None:
    url, model = tiny_server
    backend = OpenAIBackend(url, model, max_concurrency=2, **REAL)
    out = backend.generate([f"prompt {i}" for i in range(6)], SamplingParams(n=2, max_new_tokens=4, logprobs=3))
    assert [len(cs) for cs in out] == [2] * 6
    assert all(c.tokens is None for cs in out for c in cs)  # the server sends none: none are made up
    assert 1 <= backend.max_in_flight <= 2
    assert backend.failures == 0 and backend.requests == 12
