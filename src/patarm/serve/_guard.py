"""The server's front door, as plain ASGI middleware: API key (401), body size (413), counters.

Runs before any route: an unauthorised request is refused before its body is read; a body is
read up to ``max_body_bytes`` (whatever Content-Length claims, chunked or not) and refused past it,
then replayed to the app. After the body, the app's ``receive`` still reports a client that
disconnects, which the routes use to drop abandoned work.

The key is accepted as ``Authorization: Bearer KEY``, ``X-API-Key: KEY`` or, for clients that
cannot set headers (OpenRLHF's reward client), an ``api_key=KEY`` query parameter. Exactly one key
may be offered: a repeated header or parameter, or two routes that disagree, is 401 (no trying
many guesses in one request). The key never reaches a log (see :mod:`patarm._secrets`).
Open paths (``/health``) are served to anyone; the route reads ``scope["state"]["authorized"]``
to decide how much to say.

Anything the app raises becomes a 500 ``{"error": "internal_error", "message", "error_id"}``;
the exception itself goes to the log (secrets masked) under the same id, never to the client.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from patarm._secrets import redact
from patarm.serve._metrics import ServerMetrics

__all__ = ["Guard", "error_id", "log_failure", "send_json"]

logger = logging.getLogger("patarm.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: Collection[tuple[bytes, bytes]] = ()
) -> None:
    """Send a whole JSON response."""
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def error_id() -> str:
    """A short id that ties an error answer to its log line."""
    return uuid.uuid4().hex[:12]


def log_failure(ident: str, what: str, exc: BaseException, secrets: Collection[str] = ()) -> None:
    """Log ``exc`` in full (type, message, traceback), secrets masked, under ``ident``."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    logger.error("error id %s: %s\n%s", ident, what, redact(text, secrets))


class Guard:
    """Wraps an ASGI app: auth, body limit, request / response counters and latency of answered calls."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: ServerMetrics,
        api_key: str | None,
        max_body_bytes: int,
        routes: Collection[str],
        open_paths: Collection[str] = ("/health",),
        timed: Collection[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self._key = api_key.encode() if api_key else None
        self.max_body_bytes = max_body_bytes
        self.routes = set(routes)
        self.open_paths = set(open_paths)
        self.timed = set(timed)

    def _authorized(self, scope: Scope) -> bool:
        """True when exactly one key is offered (by one route, or by several that agree) and it matches."""
        assert self._key is not None
        routes: dict[str, list[bytes]] = {"authorization": [], "x-api-key": [], "api_key": []}
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                routes["authorization"].append(value[7:].strip() if value[:7].lower() == b"bearer " else b"")
            elif name == b"x-api-key":
                routes["x-api-key"].append(value.strip())
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True, encoding="latin-1")
        routes["api_key"] = [v.encode("latin-1") for v in query.get("api_key", [])]
        if any(len(values) > 1 for values in routes.values()):
            return False  # a repeated header or parameter
        offered = {values[0] for values in routes.values() if values}
        if len(offered) != 1:
            return False  # none, or routes that disagree
        return hmac.compare_digest(offered.pop(), self._key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        self.metrics.requests[path if path in self.routes else "other"] += 1
        started = time.perf_counter()
        status = 0

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                self.metrics.responses[str(status)] += 1
            await send(message)

        authorized = self._key is None or self._authorized(scope)
        scope.setdefault("state", {})["authorized"] = authorized
        if not authorized and path not in self.open_paths:
            self.metrics.errors["unauthorized"] += 1
            message = (
                "missing, wrong or ambiguous API key: send it once, as 'Authorization: Bearer KEY' "
                "(or X-API-Key, or ?api_key=)"
            )
            await send_json(
                counted, 401, {"error": "unauthorized", "message": message}, [(b"www-authenticate", b"Bearer")]
            )
            return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            body = await self._read_body(scope, receive, counted)
            if body is None:
                return
            receive = _replay(body, receive)
        try:
            await self.app(scope, receive, counted)
        except Exception as exc:  # the last line of defence: a 500 in the documented shape, details in the log
            ident = error_id()
            self.metrics.errors["internal_error"] += 1
            secrets = [self._key.decode("latin-1")] if self._key else []
            log_failure(ident, f"{scope.get('method')} {path} failed", exc, secrets)
            if status == 0:
                message = f"internal server error (error id {ident}); the server log has the details"
                await send_json(counted, 500, {"error": "internal_error", "message": message, "error_id": ident})
            return
        if status == 200 and path in self.timed:
            self.metrics.record_latency(time.perf_counter() - started)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None after answering 413 / 400 (or when the client left)."""
        limit = self.max_body_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_large = {"error": "too_large", "message": f"the request body is larger than the limit of {limit} bytes"}
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                self.metrics.errors["bad_request"] += 1
                await send_json(send, 400, {"error": "bad_request", "message": "Content-Length is not a number"})
                return None
            if size > limit:
                self.metrics.errors["too_large"] += 1
                await send_json(send, 413, too_large)
                return None
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.metrics.errors["disconnected"] += 1
                return None
            body += message.get("body", b"")
            if len(body) > limit:
                self.metrics.errors["too_large"] += 1
                await send_json(send, 413, too_large)
                return None
            if not message.get("more_body", False):
                return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits on the real one (for the disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
