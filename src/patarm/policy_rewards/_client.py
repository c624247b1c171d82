"""A small HTTP client for ``patarm serve``'s ``POST /v1/score``: typed results, bounded retries.

Busy or restarting servers (408, 429, 502, 503, connection errors) are retried under patarm's
one :class:`~patarm._retry.RetryPolicy` (the server's Retry-After, else exponential backoff with
jitter, within an overall deadline of ``timeout_s`` per chunk); a 500 (the judge backend failed,
and the server already retried each request alone), a 504 (the server's own deadline passed) and
bad input (4xx) are not. Failures raise
:class:`JudgeServerError` with the server's own message. Requests are split into chunks of
``max_items_per_request`` items.
Picklable: the HTTP connection pools are rebuilt after unpickling.

>>> client = JudgeClient("http://127.0.0.1:8000")
>>> client.endpoint
'http://127.0.0.1:8000/v1/score'
>>> client.score([{"prompt": "Say hi.", "response": "Hi!"}])  # doctest: +SKIP
[RemoteScore(score=7.0, expected_score=None, domain='chat', malformed=0, samples=1, ...)]
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from patarm._retry import RetriesExhausted, Retry, RetryPolicy, aretry_call, retry_after, retry_call
from patarm._secrets import API_KEY_ENV, client_key, redact
from patarm.errors import (
    ConfigError,
    JudgeServerError,
)

__all__ = ["API_KEY_ENV", "JudgeClient", "JudgeServerError", "RemoteScore", "ScoreItemInput"]

ScoreItemInput = Mapping[str, Any]
# The judge server answers 500 only after isolating the failing request, and 504 after its own
# deadline: sending either again would only repeat the failure, so they are not retried here.
RETRY_STATUSES = frozenset({408, 429, 502, 503})


@dataclass(frozen=True)
class RemoteScore:
    """One response's judgment as the server reports it (``score`` None: no sample parsed)."""

    score: float | None
    expected_score: float | None
    domain: str
    malformed: int
    samples: int
    malformed_reason: str | None
    criteria: str | None
    rationale: str | None
    scale: tuple[float, float]


# Jitter only spreads clients apart; it needs no seed.
_RNG = random.Random()


def _endpoint(url: str) -> str:
    url = url.rstrip("/")
    for tail in ("/v1/score", "/get_reward"):
        if url.endswith(tail):
            url = url[: -len(tail)]
    return url + "/v1/score"


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(body)[:300]


class JudgeClient:
    """Scores (prompt, response, domain) items on a running ``patarm serve``.

    ``api_key`` defaults to the ``PATARM_JUDGE_API_KEY`` environment variable (read when the
    request is sent, so the key itself never travels inside a pickled reward function); it is
    stripped of surrounding whitespace, and a blank key means no key. Error messages mask
    credentials in the URL (``http://user:pass@host``, ``?api_key=``).
    Retries: ``max_retries`` and ``backoff_s`` under an overall deadline of ``deadline_s``
    (default ``timeout_s``) per chunk of items.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 180.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        max_items_per_request: int = 256,
        deadline_s: float | None = None,
    ) -> None:
        if max_items_per_request < 1:
            raise ConfigError(f"max_items_per_request must be >= 1, got {max_items_per_request}")
        for name, value, low in (("timeout_s", timeout_s, 0.0), ("deadline_s", deadline_s, 0.0)):
            if value is not None and not (math.isfinite(value) and value > low):
                raise ConfigError(f"{name} must be a finite number > 0, got {value!r}")
        if not (math.isfinite(backoff_s) and backoff_s >= 0):
            raise ConfigError(f"backoff_s must be a finite number >= 0, got {backoff_s!r}")
        self.endpoint = _endpoint(url)
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_items_per_request = max_items_per_request
        self.retry_policy = RetryPolicy(
            max_retries=max_retries,
            backoff_s=backoff_s,
            deadline_s=deadline_s if deadline_s is not None else timeout_s,
            statuses=RETRY_STATUSES,
        )
        self._init_pools()

    def _init_pools(self) -> None:
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._async: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_client", "_async")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_pools()

    def _headers(self) -> dict[str, str]:
        key = client_key(self.api_key if self.api_key is not None else os.environ.get(API_KEY_ENV))
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _body(self, items: Sequence[ScoreItemInput]) -> dict[str, Any]:
        # ``reference`` only when there is one: a server from before references still takes the rest.
        keep = ("prompt", "response", "domain")
        return {
            "items": [
                {k: v for k, v in dict(i).items() if k in keep or (k == "reference" and v is not None)} for i in items
            ]
        }

    def _chunks(self, items: Sequence[ScoreItemInput]) -> list[Sequence[ScoreItemInput]]:
        size = self.max_items_per_request
        return [items[i : i + size] for i in range(0, len(items), size)]

    def _parse(self, response: httpx.Response, count: int) -> list[RemoteScore]:
        body = response.json()
        scale = tuple(float(x) for x in body.get("scale", (1.0, 10.0)))
        results = body.get("results")
        if not isinstance(results, list) or len(results) != count:
            raise JudgeServerError(redact(f"{self.endpoint}: expected {count} results, got {str(results)[:200]}"))
        return [
            RemoteScore(
                score=r.get("score"),
                expected_score=r.get("expected_score"),
                domain=r.get("domain", ""),
                malformed=int(r.get("malformed", 0)),
                samples=int(r.get("samples", 0)),
                malformed_reason=r.get("malformed_reason"),
                criteria=r.get("criteria"),
                rationale=r.get("rationale"),
                scale=(scale[0], scale[1]),
            )
            for r in results
        ]

    def _check(self, response: httpx.Response, count: int) -> list[RemoteScore]:
        """The results of an answered attempt, :class:`Retry` for a busy server, else the error."""
        status = response.status_code
        if status == 200:
            return self._parse(response, count)
        if self.retry_policy.retryable(status):
            raise Retry(f"HTTP {status}: {_reason(response)}", retry_after(response.headers), status)
        raise JudgeServerError(redact(f"{self.endpoint}: HTTP {status}: {_reason(response)}"), status)

    def _exhausted(self, exc: RetriesExhausted) -> JudgeServerError:
        return JudgeServerError(redact(f"{self.endpoint}: {exc}"), exc.last.status)

    def _timeout(self, left: float | None) -> float:
        return self.timeout_s if left is None else max(min(self.timeout_s, left), 0.001)

    def score(self, items: Sequence[ScoreItemInput]) -> list[RemoteScore]:
        """One result per item, in order; items are mappings with ``prompt``, ``response``, ``domain``."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout_s)
            client = self._client
        out: list[RemoteScore] = []
        for chunk in self._chunks(items):
            body = self._body(chunk)

            def attempt(left: float | None, body: dict[str, Any] = body, count: int = len(chunk)) -> list[RemoteScore]:
                try:
                    response = client.post(
                        self.endpoint, json=body, headers=self._headers(), timeout=self._timeout(left)
                    )
                except httpx.TransportError as exc:
                    raise Retry(f"{type(exc).__name__}: {exc}") from exc
                return self._check(response, count)

            try:
                out += retry_call(self.retry_policy, attempt, rng=_RNG)
            except RetriesExhausted as exc:
                raise self._exhausted(exc) from exc
        return out

    async def ascore(self, items: Sequence[ScoreItemInput]) -> list[RemoteScore]:
        """:meth:`score` for an event loop (one connection pool per loop)."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, httpx.AsyncClient(timeout=self.timeout_s))
        client = self._async[1]
        out: list[RemoteScore] = []
        for chunk in self._chunks(items):
            body = self._body(chunk)

            async def attempt(
                left: float | None, body: dict[str, Any] = body, count: int = len(chunk)
            ) -> list[RemoteScore]:
                try:
                    response = await client.post(
                        self.endpoint, json=body, headers=self._headers(), timeout=self._timeout(left)
                    )
                except httpx.TransportError as exc:
                    raise Retry(f"{type(exc).__name__}: {exc}") from exc
                return self._check(response, count)

            try:
                out += await aretry_call(self.retry_policy, attempt, rng=_RNG)
            except RetriesExhausted as exc:
                raise self._exhausted(exc) from exc
        return out

    def close(self) -> None:
        """Close the synchronous connection pool (the async one closes with its loop)."""
        if self._client is not None:
            self._client.close()
            self._client = None
