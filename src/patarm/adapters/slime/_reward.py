"""slime's custom reward function (``--custom-rm-path patarm.adapters.slime.reward``): the reward of
each sample from a running ``patarm serve``, through its ``/slime/reward`` route.

slime loads the function by its dotted path (``slime.utils.misc.load_function``: module, then the
name after the last dot) and awaits ``reward(args, sample)`` for one sample, or
``reward(args, samples)`` for a list (with ``--group-rm``, or a generate function that returns
several samples); it stores what comes back as ``sample.reward``: a float per sample here.

Compared with slime's built-in ``--rm-type remote_rm`` on the same route, this sends the judge
server's API key (``$PATARM_JUDGE_API_KEY``), posts a batch as one request (the server batches
it with others), and retries a busy server (408, 429, 502, 503, connection errors) with backoff
under a deadline, then raises :class:`~patarm.policy_rewards.JudgeServerError`.

Where the server is: ``$PATARM_JUDGE_URL``, else slime's ``--rm-url`` (``args.rm_url``), as a base
address (``http://host:port``; a trailing ``/slime/reward`` is accepted). Deadline per call:
``$PATARM_JUDGE_TIMEOUT`` seconds (default 180).

The ``Sample`` is read by attribute, without importing slime: ``prompt`` (text, chat-templated
text, or ``{role, content}`` messages), ``response`` (text) and ``label`` (None, text or a
mapping; see :mod:`patarm.serve._slime` for how the label gives the domain and the reference
answer). Nothing else of the sample is read or changed.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Sequence
from typing import Any

import httpx

from patarm._retry import RetriesExhausted, Retry, RetryPolicy, aretry_call, retry_after
from patarm._secrets import API_KEY_ENV, client_key, redact
from patarm.errors import InputError
from patarm.policy_rewards import JudgeServerError

__all__ = ["TIMEOUT_ENV", "URL_ENV", "reward", "sample_body"]

URL_ENV = "PATARM_JUDGE_URL"
TIMEOUT_ENV = "PATARM_JUDGE_TIMEOUT"
ROUTE = "/slime/reward"
RETRY_STATUSES = frozenset({408, 429, 502, 503})
_RNG = random.Random()  # jitter only spreads clients apart
_clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}


def sample_body(sample: Any) -> dict[str, Any]:
    """The JSON object for one sample: its ``prompt``, ``response`` and ``label`` attributes (the
    shape slime's ``remote_rm`` posts). A sample without them is a clear error."""
    missing = [name for name in ("prompt", "response") if not hasattr(sample, name)]
    if missing:
        raise TypeError(
            f"a slime Sample needs attributes prompt and response (and label); {type(sample).__name__} lacks {missing}"
        )
    prompt = sample.prompt
    if isinstance(prompt, Sequence) and not isinstance(prompt, str):
        prompt = [dict(m) for m in prompt]
    return {"prompt": prompt, "response": sample.response, "label": getattr(sample, "label", None)}


def _endpoint(args: Any) -> str:
    url = os.environ.get(URL_ENV) or getattr(args, "rm_url", None)
    if not url:
        raise InputError(
            f"no judge server address: set ${URL_ENV} or slime's --rm-url to a patarm serve (http://host:port)"
        )
    url = str(url).rstrip("/")
    return (url[: -len(ROUTE)] if url.endswith(ROUTE) else url) + ROUTE


def _client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    for old in [k for k in _clients if k.is_closed()]:
        del _clients[old]
    if loop not in _clients:
        _clients[loop] = httpx.AsyncClient()
    return _clients[loop]


def _answers(response: httpx.Response, count: int, endpoint: str) -> list[float]:
    status = response.status_code
    if status == 200:
        body = response.json()
        if isinstance(body, list) and len(body) == count and all(isinstance(x, int | float) for x in body):
            return [float(x) for x in body]
        raise JudgeServerError(redact(f"{endpoint}: expected {count} rewards, got {str(body)[:200]}"))
    if status in RETRY_STATUSES:
        raise Retry(f"HTTP {status}", retry_after=retry_after(response.headers), status=status)
    reason = response.text[:300]
    raise JudgeServerError(redact(f"{endpoint}: HTTP {status}: {reason}"), status)


async def reward(args: Any, sample: Any, **kwargs: Any) -> float | list[float]:
    """The judge's reward for one slime sample, or a list of rewards for a list of samples."""
    batch = isinstance(sample, list | tuple)
    samples = list(sample) if batch else [sample]
    if not samples:
        return []
    endpoint = _endpoint(args)
    deadline = float(os.environ.get(TIMEOUT_ENV) or 180.0)
    key = client_key(os.environ.get(API_KEY_ENV))
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = [sample_body(s) for s in samples]
    client = _client()
    policy = RetryPolicy(max_retries=4, backoff_s=0.5, deadline_s=deadline, statuses=RETRY_STATUSES)

    async def attempt(left: float | None) -> list[float]:
        timeout = deadline if left is None else max(min(deadline, left), 0.001)
        try:
            response = await client.post(endpoint, json=body, headers=headers, timeout=timeout)
        except httpx.TransportError as exc:
            raise Retry(f"{type(exc).__name__}: {exc}") from exc
        return _answers(response, len(body), endpoint)

    try:
        rewards = await aretry_call(policy, attempt, rng=_RNG)
    except RetriesExhausted as exc:
        raise JudgeServerError(redact(f"{endpoint}: {exc}"), exc.last.status) from exc
    return rewards if batch else rewards[0]
