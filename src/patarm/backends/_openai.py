"""A backend for any OpenAI-compatible HTTP server: vLLM serve, SGLang, ``transformers serve``, hosted APIs.

Requests go out concurrently (at most ``max_concurrency`` at a time), each with a timeout, and
are retried under patarm's one :class:`~patarm._retry.RetryPolicy` (Retry-After, exponential
backoff with jitter, an optional overall deadline) on 408, 429, 5xx, timeouts and connection errors. Chat prompts
go to ``/v1/chat/completions``; plain-text prompts go to ``/v1/completions`` with ``chat=False``,
or are sent as one user message with ``chat=True`` (the default: most servers only template chats).
Several base URLs (replicas of one model) share the load: each attempt goes to the replica with the
fewest requests in flight, and a failed replica rests while its request is retried on another
(see :mod:`patarm.backends._replicas`).

>>> backend = OpenAIBackend("http://127.0.0.1:8000", "Qwen/Qwen3-8B")  # doctest: +SKIP
>>> params = SamplingParams(n=4, temperature=0.7, max_new_tokens=256, seed=0)
>>> samples = backend.generate([[{"role": "user", "content": "Rate this answer..."}]], params)  # doctest: +SKIP
>>> len(samples[0]), backend.requests, backend.retries  # doctest: +SKIP
(4, 1, 0)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import math
import os
import random
import re
import threading
import time
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from patarm._retry import RetriesExhausted, Retry, RetryPolicy, aretry_call, retry_after
from patarm._secrets import client_key, redact
from patarm.backends._base import (
    ChatInput,
    Completion,
    SamplingParams,
    TokenLogprobs,
    by_text,
    cut_at_stop,
    sample_seed,
)
from patarm.backends._replicas import ReplicaPicker, ReplicaStats
from patarm.errors import BackendError, ConfigError

__all__ = ["BackendError", "OpenAIBackend", "ReplicaStats", "split_urls"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class OpenAIBackend:
    """Samples completions from an OpenAI-compatible server over HTTP.

    ``base_url`` is one URL, or several (a sequence, or one string with commas) naming replicas of
    the same model: each attempt goes to a replica with the fewest requests in flight (ties taken
    in turn); an attempt that fails on a replica (connection error, 5xx, timeout) puts it to rest
    for ``replica_cooldown_s``, doubling on failures in a row up to ``replica_max_cooldown_s`` and
    reset by a success, and its retry goes to another replica at once (no backoff wait while a
    live one is left; the retry policy still counts the attempt). When every replica rests the
    one whose rest ends first is used. :meth:`replica_stats` gives each replica's counters.

    Each URL is the server root (``http://host:8000``, ``/v1`` is added) or the API root
    (``http://host:8000/v1``, ``https://api.example.com/v1``: used as given). Plain-text
    prompts go to ``/completions`` when ``chat=False`` (the text is sent as is, no template)
    and are wrapped as a single user message otherwise.

    With ``native_n=True`` each prompt is one request with ``n``; servers that return fewer
    choices (``transformers serve`` ignores ``n``) are topped up with single-sample requests
    seeded by :func:`sample_seed`. With ``native_n=False`` every sample is its own request.
    Either way, a prompt's request bodies depend on the seed and the prompt alone (not on the
    other prompts of the call); the samples repeat where the server honours per-request seeds
    and its batching does not change the numerics (``transformers serve`` seeds one global generator, so
    there only ``max_concurrency=1`` repeats). ``num_tokens`` is exact from log-probabilities,
    else ``usage.completion_tokens`` when a reply holds one choice, else None.

    The API key is ``api_key``, else ``$api_key_env``, else none (local servers need none);
    surrounding whitespace is stripped, and a blank key (``""``, a lone newline) means no key,
    whichever way it came. Credentials never reach a log line, a warning, an error message or
    the repr: user information in ``base_url`` (``http://user:pass@host``) and credential query
    parameters are masked there (see :func:`patarm._secrets.redact`); requests still use them.
    ``extra_body`` is merged into every request body (server-specific fields). ``transport``
    replaces the network (``httpx.MockTransport`` in tests). Counters ``requests`` (attempts
    sent), ``retries``, ``failures`` (requests given up on), ``top_ups`` and ``max_in_flight``
    accumulate over calls; :meth:`reset_counters` zeroes them (and the replicas' counts).
    ``max_concurrency`` bounds the requests in flight over all replicas together.

    Retries follow ``retry_policy`` (see :mod:`patarm._retry`), built from ``max_retries``,
    ``backoff_s`` and ``deadline_s`` (an overall limit per request, across its attempts).
    """

    def __init__(
        self,
        base_url: str | Sequence[str],
        model: str,
        *,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        chat: bool = True,
        max_concurrency: int = 8,
        timeout_s: float = 60.0,
        max_retries: int = 4,
        backoff_s: float = 0.5,
        deadline_s: float | None = None,
        native_n: bool = True,
        extra_body: Mapping[str, Any] | None = None,
        jitter_seed: int | None = 0,
        transport: httpx.AsyncBaseTransport | None = None,
        replica_cooldown_s: float = 1.0,
        replica_max_cooldown_s: float = 60.0,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if timeout_s <= 0:
            raise ConfigError(f"timeout_s must be > 0, got {timeout_s}")
        urls = split_urls(base_url)
        if not urls:
            raise ConfigError("base_url names no server (an empty string or list)")
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ConfigError(f"base_url must start with http:// or https://, got {redact(url)!r}")
        roots = [_api_root(url) for url in urls]
        if len(set(roots)) != len(roots):
            raise ConfigError(f"base_url names a replica twice: {', '.join(redact(r) for r in roots)}")
        #: The API roots of the replicas, in the order given; ``base_url`` is the first.
        self.base_urls: tuple[str, ...] = tuple(roots)
        self.base_url = roots[0]
        self._picker = ReplicaPicker(len(roots), cooldown_s=replica_cooldown_s, max_cooldown_s=replica_max_cooldown_s)
        self.model = model
        self.chat = chat
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.retry_policy = RetryPolicy(
            max_retries=max_retries,
            backoff_s=backoff_s,
            jitter=0.5 if jitter_seed is not None else 0.0,
            deadline_s=deadline_s,
        )
        self.native_n = native_n
        self.extra_body: dict[str, Any] = dict(extra_body or {})
        self.api_key_env = api_key_env
        self._api_key = client_key(api_key if api_key is not None else os.environ.get(api_key_env))
        self._transport = transport
        # Jitter spreads retries of many clients apart; a seeded RNG keeps runs repeatable (None: no jitter).
        self._jitter = random.Random(jitter_seed) if jitter_seed is not None else None
        self._lock = threading.Lock()
        self._in_flight = 0
        self.reset_counters()

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        where: str | list[str] = redact(self.base_url)
        if len(self.base_urls) > 1:
            where = [redact(url) for url in self.base_urls]
        return f"OpenAIBackend(base_url={where!r}, model={self.model!r}, chat={self.chat}, api_key={key})"

    # ----- counters -----

    def reset_counters(self) -> None:
        """Zero the request counters."""
        with self._lock:
            self.requests = 0
            self.retries = 0
            self.failures = 0
            self.top_ups = 0
            self.max_in_flight = 0
            self._picker.reset_counts()

    def counters(self) -> dict[str, int]:
        """The counters as a dict, for logs and benchmarks."""
        with self._lock:
            return {
                "requests": self.requests,
                "retries": self.retries,
                "failures": self.failures,
                "top_ups": self.top_ups,
                "max_in_flight": self.max_in_flight,
            }

    def replica_stats(self) -> list[ReplicaStats]:
        """Each replica's counters (requests, failures, in flight, times rested, resting now), in
        the order the URLs were given; URLs redacted, so the list is safe to print or export."""
        with self._lock:
            return self._picker.stats([redact(url) for url in self.base_urls], time.monotonic())

    def _count(self, name: str, by: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + by)

    # ----- generation -----

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        """``params.n`` completions per prompt, in prompt order (blocking).

        Inside a running event loop the requests run on a worker thread (blocking that loop
        until done); async code should ``await`` :meth:`agenerate` instead."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.agenerate(prompts, params))
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="patarm-http") as pool:
            return pool.submit(asyncio.run, self.agenerate(prompts, params)).result()

    async def agenerate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        """``params.n`` completions per prompt, in prompt order; all requests share one connection pool."""
        if not prompts:
            return []
        limits = httpx.Limits(max_connections=self.max_concurrency, max_keepalive_connections=self.max_concurrency)
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_s), limits=limits, headers=headers, transport=self._transport
        ) as client:
            call = _Call(self, client, asyncio.Semaphore(self.max_concurrency), params)
            return await _gather_or_cancel(call.prompt(i, p) for i, p in enumerate(prompts))

    # ----- one request, with retries -----

    def endpoint(self, prompt: ChatInput) -> str:
        """The URL a prompt is posted to (on the first replica; others take the same path)."""
        return self.base_url + self.path(prompt)

    def path(self, prompt: ChatInput) -> str:
        """The path, below a replica's API root, that a prompt is posted to."""
        use_chat = self.chat or not isinstance(prompt, str)
        return "/chat/completions" if use_chat else "/completions"

    def request_body(self, prompt: ChatInput, params: SamplingParams, n: int, seed: int | None) -> dict[str, Any]:
        """The JSON body for ``n`` samples of ``prompt`` with ``seed`` (fields a server may not know are left out)."""
        body: dict[str, Any] = {"model": self.model}
        if isinstance(prompt, str) and not self.chat:
            body["prompt"] = prompt
            if params.logprobs is not None:
                body["logprobs"] = params.logprobs
        else:
            messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else [dict(m) for m in prompt]
            body["messages"] = messages
            if params.logprobs is not None:
                body["logprobs"] = True
                body["top_logprobs"] = params.logprobs
        body["temperature"] = params.temperature
        body["top_p"] = params.top_p
        body["max_tokens"] = params.max_new_tokens
        if n > 1:
            body["n"] = n
        if params.stop:
            body["stop"] = list(params.stop)
        if seed is not None:
            body["seed"] = seed
        body.update(self.extra_body)
        return body

    async def _post(
        self, client: httpx.AsyncClient, sem: asyncio.Semaphore, path: str, body: dict[str, Any]
    ) -> tuple[Any, str]:
        """POST ``body`` to ``path`` on a replica and return the decoded JSON and the URL that
        answered, retrying transient failures under ``retry_policy`` (on another replica when one
        is live)."""
        last: list[int] = []  # the replica of the latest attempt

        async def attempt(left: float | None) -> tuple[Any, str]:
            async with sem:
                with self._lock:
                    index = self._picker.start(self._picker.pick(time.monotonic(), last[-1] if last else None))
                last.append(index)
                url = self.base_urls[index] + path
                ok: bool | None = None
                try:
                    payload = await self._attempt(client, url, body)
                    ok = True
                    return payload, url
                except Retry as failure:
                    if failure.status is None or failure.status >= 500:
                        ok = False
                    raise self._elsewhere(failure, index) from failure
                finally:
                    with self._lock:
                        self._picker.finish(index, ok, time.monotonic())

        def retrying(failure: Retry, wait: float, next_attempt: int) -> None:
            attempts = self.max_retries + 1
            logger.warning(
                "POST %s: %s; retrying in %.2fs (attempt %d of %d)",
                redact(self.base_urls[last[-1]] + path if last else self.base_url + path),
                redact(failure.reason),
                wait,
                next_attempt,
                attempts,
            )
            self._count("retries")

        try:
            return await aretry_call(self.retry_policy, attempt, rng=self._jitter, on_retry=retrying)
        except RetriesExhausted as exc:
            self._count("failures")
            url = (self.base_urls[last[-1]] if last else self.base_url) + path
            raise BackendError(redact(f"POST {url} failed: {exc}{_hint_for(exc.last.reason)}")) from exc
        except BackendError:
            self._count("failures")
            raise

    def _elsewhere(self, failure: Retry, index: int) -> Retry:
        """``failure`` as retried: with no wait when a replica other than ``index`` is live (the
        retry goes there; the server's Retry-After and the backoff speak for ``index`` alone)."""
        with self._lock:
            elsewhere = self._picker.any_live_besides(index, time.monotonic())
        if not elsewhere:
            return failure
        return Retry(failure.reason, 0.0, failure.status)

    async def _attempt(self, client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> Any:
        """One HTTP attempt: the decoded JSON, or :class:`~patarm._retry.Retry`, or :class:`BackendError`."""
        with self._lock:
            self.requests += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            # httpx's timeout bounds each network step; wait_for bounds the whole exchange.
            response = await asyncio.wait_for(client.post(url, json=body), timeout=self.timeout_s)
        except (asyncio.TimeoutError, httpx.TimeoutException) as exc:
            raise Retry(f"timed out after {self.timeout_s:g}s ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise BackendError(redact(f"POST {url} failed: {type(exc).__name__}: {exc}")) from exc
        finally:
            with self._lock:
                self._in_flight -= 1
        status = response.status_code
        if self.retry_policy.retryable(status):
            raise Retry(f"HTTP {status}: {_error_message(response)}", retry_after(response.headers), status)
        if status >= 400:
            message = f"POST {url} returned HTTP {status}: {_error_message(response)}{self._advice(status)}"
            raise BackendError(redact(message))
        try:
            return response.json()
        except ValueError as exc:
            raise BackendError(redact(f"POST {url} returned a body that is not JSON: {response.text[:200]!r}")) from exc

    def retry_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): the server's Retry-After when
        given, else ``backoff_s * 2**(attempt-1)`` plus up to half of that again as jitter."""
        with self._lock:
            return self.retry_policy.delay(attempt, retry_after, self._jitter)

    def _advice(self, status: int) -> str:
        if status in (401, 403):
            return f" (set the API key: pass api_key= or set ${self.api_key_env})"
        if status == 404:
            return f" (check base_url={redact(self.base_url)!r} and model={self.model!r})"
        return ""


class _Call:
    """The state of one :meth:`OpenAIBackend.agenerate` call: client, semaphore and params."""

    def __init__(
        self, backend: OpenAIBackend, client: httpx.AsyncClient, sem: asyncio.Semaphore, params: SamplingParams
    ) -> None:
        self.backend = backend
        self.client = client
        self.sem = sem
        self.params = params

    async def prompt(self, index: int, prompt: ChatInput) -> list[Completion]:
        """Exactly ``n`` completions for one prompt: one native-n request topped up, or one request per sample."""
        n = self.params.n
        if self.params.temperature == 0 and n > 1:
            # Greedy decoding has one answer (and vLLM's server refuses n > 1 with it): ask once, copy.
            first = (await self.request(index, prompt, 1, 0))[0]
            return [first] * n
        if self.backend.native_n and n > 1:
            got = (await self.request(index, prompt, n, 0))[:n]
            missing = range(len(got), n)
            if missing:
                self.backend._count("top_ups", len(missing))
                extra = await _gather_or_cancel(self.request(index, prompt, 1, j) for j in missing)
                got += [choices[0] for choices in extra]
            return got
        samples = await _gather_or_cancel(self.request(index, prompt, 1, j) for j in range(n))
        return [choices[0] for choices in samples]

    async def request(self, index: int, prompt: ChatInput, n: int, sample: int) -> list[Completion]:
        """The parsed choices of one request for ``n`` samples, seeded for ``(prompt, sample)``."""
        backend = self.backend
        body = backend.request_body(prompt, self.params, n, sample_seed(self.params.seed, prompt, sample))
        payload, url = await backend._post(self.client, self.sem, backend.path(prompt), body)
        try:
            completions = _parse_choices(payload, self.params.logprobs is not None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            backend._count("failures")
            message = f"POST {url} returned an unexpected response ({exc!r}): {str(payload)[:200]}"
            raise BackendError(redact(message)) from exc
        if not completions:
            backend._count("failures")
            raise BackendError(redact(f"POST {url} returned no choices: {str(payload)[:200]}"))
        return [_honour_stop(c, self.params.stop) for c in completions]


# ----- parsing -----


def _honour_stop(completion: Completion, stop: Sequence[str]) -> Completion:
    """Cut the text at a stop string the server left in (``transformers serve`` ignores ``stop``).

    Token counts and log-probabilities stay as the server sent them."""
    text, cut = cut_at_stop(completion.text, stop)
    return dataclasses.replace(completion, text=text, finish_reason="stop") if cut else completion


def _parse_choices(payload: Any, want_logprobs: bool) -> list[Completion]:
    """The choices of a completions or chat completions response, in ``index`` order."""
    if not isinstance(payload, dict):
        raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
    raw = payload["choices"]
    if not isinstance(raw, list):
        raise TypeError("'choices' is not a list")
    choices = sorted(raw, key=lambda c: c.get("index", 0) if isinstance(c.get("index"), int) else 0)
    total = _usage_tokens(payload)
    out = []
    for choice in choices:
        message = choice.get("message")
        text = (message or {}).get("content") if "message" in choice else choice.get("text")
        text = text or ""
        if not isinstance(text, str):
            raise TypeError("the completion text is not a string")
        tokens = _parse_logprobs(choice.get("logprobs")) if want_logprobs else None
        # Per-choice token counts: exact from log-probabilities, else usage when it covers one choice only.
        if tokens is not None:
            num_tokens: int | None = len(tokens)
        elif total is not None and len(choices) == 1:
            num_tokens = total
        else:
            num_tokens = None
        finish = choice.get("finish_reason")
        out.append(Completion(text, num_tokens, finish if isinstance(finish, str) else None, tokens))
    return out


def _usage_tokens(payload: Mapping[str, Any]) -> int | None:
    usage = payload.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
        return int(usage["completion_tokens"])
    return None


def _parse_logprobs(raw: Any) -> tuple[TokenLogprobs, ...] | None:
    """Token log-probabilities from either response format, or None when the server sent none.

    Chat: ``{"content": [{"token", "logprob", "top_logprobs": [{"token", "logprob"}]}]}``.
    Completions: ``{"tokens": [...], "token_logprobs": [...], "top_logprobs": [{token: logprob}]}``.
    A missing log-probability is NaN (unknown), never made up; alternatives that share a text
    (distinct token ids) are summed, so none is lost."""
    if not isinstance(raw, dict):
        return None
    if isinstance(raw.get("content"), list):
        out = []
        for entry in raw["content"]:
            top = by_text(
                (str(alt["token"]), _logprob(alt.get("logprob")))
                for alt in entry.get("top_logprobs") or []
                if alt.get("logprob") is not None
            )
            out.append(TokenLogprobs(str(entry["token"]), _logprob(entry.get("logprob")), top))
        return tuple(out)
    if isinstance(raw.get("tokens"), list):
        tokens = raw["tokens"]
        values = raw.get("token_logprobs") or [None] * len(tokens)
        tops = raw.get("top_logprobs") or [None] * len(tokens)
        if len(values) != len(tokens) or len(tops) != len(tokens):
            raise ConfigError("logprobs lists have different lengths")
        return tuple(
            TokenLogprobs(
                str(token),
                _logprob(value),
                {str(k): _logprob(v) for k, v in (top or {}).items() if v is not None},
            )
            for token, value, top in zip(tokens, values, tops, strict=True)
        )
    return None


def _logprob(value: Any) -> float:
    return math.nan if value is None else float(value)


# ----- helpers -----


# A comma separates two URLs only where the next URL's scheme follows it (``, https://...``), so a
# comma inside a URL (a query ``?ids=1,2``, a path) stays part of it. The scheme is bounded, so
# each comma costs constant work.
_URL_COMMA = re.compile(r",\s*(?=[A-Za-z][A-Za-z0-9+.-]{0,31}://)")


def split_urls(base_url: str | Sequence[str]) -> list[str]:
    """The URLs in ``base_url``: one string (a comma before the next URL's scheme separates
    several), or a sequence of such strings.

    >>> split_urls("http://a:8000, http://b:8000"), split_urls(["http://a:8000", "http://b:8000,http://c"])
    (['http://a:8000', 'http://b:8000'], ['http://a:8000', 'http://b:8000', 'http://c'])
    >>> split_urls("http://a:8000/v1?tags=x,y")
    ['http://a:8000/v1?tags=x,y']
    """
    parts = [base_url] if isinstance(base_url, str) else list(base_url)
    return [url.strip().rstrip(",").strip() for part in parts for url in _URL_COMMA.split(part) if url.strip(" ,")]


def _api_root(base_url: str) -> str:
    """``base_url`` without a trailing slash, with ``/v1`` added when it names only a host."""
    root = base_url.rstrip("/")
    if urlsplit(root).path in ("", "/"):
        root += "/v1"
    return root


def _error_message(response: httpx.Response) -> str:
    """The server's error message: OpenAI's ``error.message``, FastAPI's ``detail``, or the raw text."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300].strip() or response.reason_phrase
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("error", "detail", "message"):
            if data.get(key):
                return str(data[key])
    return str(data)[:300]


def _hint_for(reason: str) -> str:
    if reason.startswith("ConnectError"):
        return " (is the server running and base_url right?)"
    return ""


async def _gather_or_cancel(coros: Iterable[Awaitable[T]]) -> list[T]:
    """Await all, in order; on the first failure cancel the rest (no orphaned requests) and re-raise."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
