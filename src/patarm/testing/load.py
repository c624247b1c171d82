"""Drive a judge server with many concurrent clients and time every answer (load tests, benchmarks).

Each client keeps one HTTP/1.1 keep-alive connection and sends one request at a time; the
clients share one list of requests, so each request is sent exactly once. The client is a
minimal one on asyncio streams (JSON bodies, Content-Length responses, plain ``http://``) so that
the measuring side stays cheap: a general client such as httpx's async one spends several
milliseconds of CPU per request, which on a small machine measures the client, not the server.
A connection that fails is reported (status 0 with the error), never silently retried.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> from patarm.serve import ServerThread, create_app
>>> app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> with ServerThread(app) as server:
...     body = {"items": [{"prompt": "Hi", "response": "Hello"}]}
...     result = run_load(server.url, [("/v1/score", body)] * 20, clients=4)
>>> result.statuses.count(200), result.bodies[0]["results"][0]["score"]
(20, 7.0)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from patarm._stats import percentile
from patarm.errors import InputError

__all__ = ["LoadResult", "load", "percentile", "run_load"]


@dataclass(frozen=True)
class LoadResult:
    """Per request (in the order given): HTTP status (0: connection error), JSON body (or the error
    text), seconds from send to full answer; and the wall time of the whole run."""

    statuses: list[int]
    bodies: list[Any]
    latencies: list[float]
    elapsed_s: float

    @property
    def throughput(self) -> float:
        """Requests answered per second."""
        return len(self.statuses) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def latency(self, q: float) -> float:
        """The ``q``-th latency percentile of the answered requests, in seconds (nearest rank)."""
        value = percentile([t for t, s in zip(self.latencies, self.statuses, strict=True) if s], q)
        return 0.0 if value is None else value


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str, data: bytes, extra: bytes
) -> tuple[int, bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    ).encode()
    writer.write(head + extra + b"\r\n" + data)
    await writer.drain()
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    return status, await reader.readexactly(int(fields.get("content-length", "0")))


async def load(
    url: str,
    requests: Sequence[tuple[str, Any]],
    *,
    clients: int = 64,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """Send every ``(path, json_body)`` of ``requests`` to ``url`` from ``clients`` concurrent connections."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise InputError(f"load() speaks plain http:// only, got {url!r}")
    host, port = parts.hostname, parts.port or 80
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode()
    count = len(requests)
    statuses = [0] * count
    bodies: list[Any] = [None] * count
    latencies = [0.0] * count
    upcoming = iter(range(count))

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for index in upcoming:
                path, body = requests[index]
                sent = time.perf_counter()
                try:
                    status, raw = await _exchange(reader, writer, host, path, json.dumps(body).encode(), extra)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    bodies[index] = f"{type(exc).__name__}: {exc}"
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                latencies[index] = time.perf_counter() - sent
                statuses[index] = status
                bodies[index] = json.loads(raw) if raw else None
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(max(1, min(clients, count)))))
    return LoadResult(statuses, bodies, latencies, time.perf_counter() - started)


def run_load(
    url: str, requests: Sequence[tuple[str, Any]], *, clients: int = 64, headers: Mapping[str, str] | None = None
) -> LoadResult:
    """:func:`load` in a fresh event loop."""
    return asyncio.run(load(url, requests, clients=clients, headers=headers))
