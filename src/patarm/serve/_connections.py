"""Connection limits below the app, in uvicorn's HTTP protocol: read deadlines, and caps on open
connections and on requests in flight.

uvicorn closes an idle kept-alive connection (``timeout_keep_alive``) and bounds the size of a
request head (h11's ``max_incomplete_event_size``), but nothing bounds the TIME a client takes to
send its headers or its body, and its ``limit_concurrency`` counts open connections together with
requests: a few hundred clients that connect and then say nothing would hold their sockets forever,
and under ``limit_concurrency`` they would also turn every new request, ``/health`` included, into a
503. So :func:`guarded_protocol` subclasses uvicorn's HTTP protocol (whichever it would pick, h11
or httptools), and each connection keeps, beside what uvicorn tracks:

- a HEADER deadline: from the moment it is ready for a request (connected, or its previous answer
  sent), the request's headers must be in within ``header_timeout_s``; else 408 (or, if it sent
  nothing, a silent close) and it is dropped. Sending a byte now and then does not reset it.
- a BODY deadline: the body must be in within ``body_timeout_s`` after the headers; else 408 and
  it is dropped (the route sees a disconnect and drops the work).
- a cap on open connections, ``max_connections``, lowered to the process's open-file limit less
  a reserve: one connection more evicts the one that has waited longest for its headers (it has
  sent no complete request: nothing is lost but its socket), so idle or stalled clients can never
  lock out a new one; when every open connection is busy with a request, the newcomer is closed.
- a cap on requests in flight, ``max_requests_in_flight``: requests that carry a body (the ones
  whose bodies the server holds in memory) past the cap get 503 with ``Retry-After`` before their
  body is read; bodiless requests (``GET /health``, ``/metrics``) are never refused.

Each drop is counted in the metrics' errors (``header_timeout``, ``body_timeout``,
``connection_evicted``, ``connection_refused``, ``busy``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from patarm.serve._metrics import ServerMetrics
from patarm.serve._settings import ServeSettings

__all__ = ["ConnectionLimits", "guarded_protocol", "open_file_limit"]

logger = logging.getLogger("patarm.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

# File descriptors kept free for everything else the process opens (logs, model files, pipes).
FD_RESERVE = 128
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def open_file_limit() -> int | None:
    """The process's soft limit on open files (None where there is none or it cannot be read)."""
    try:
        import resource
    except ImportError:  # not a POSIX system
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _timeout_response(message: str) -> bytes:
    body = json.dumps({"error": "timeout", "message": message}).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class ConnectionLimits:
    """What every connection of one server shares: the limits, the open connections, the requests in flight.

    >>> limits = ConnectionLimits(ServeSettings(max_connections=4000), fd_limit=1024)
    >>> limits.max_connections
    896
    """

    def __init__(
        self, settings: ServeSettings, metrics: ServerMetrics | None = None, *, fd_limit: int | None = None
    ) -> None:
        self.header_timeout_s = settings.header_timeout_s
        self.body_timeout_s = settings.body_timeout_s
        self.max_in_flight = settings.max_requests_in_flight
        self.metrics = metrics or ServerMetrics()
        cap = settings.max_connections
        if fd_limit is not None and cap > fd_limit - FD_RESERVE:
            cap = max(8, fd_limit - FD_RESERVE)
            logger.warning(
                "max_connections %d lowered to %d: the open-file limit is %d (raise it with `ulimit -n`)",
                settings.max_connections,
                cap,
                fd_limit,
            )
        self.max_connections = cap
        self.open: set[Any] = set()
        self.waiting: dict[Any, None] = {}  # connections waiting for headers, the longest-waiting first
        self.in_flight = 0

    def admit(self, conn: Any) -> bool:
        """Count a new connection; past the cap evict the longest-waiting one, or refuse ``conn`` (False)."""
        self.open.add(conn)
        if len(self.open) <= self.max_connections:
            return True
        victim = next((c for c in self.waiting if c is not conn), None)
        if victim is None:
            self.metrics.errors["connection_refused"] += 1
            return False
        self.metrics.errors["connection_evicted"] += 1
        self.open.discard(victim)
        victim.drop(None)
        return True

    def forget(self, conn: Any) -> None:
        self.open.discard(conn)
        self.waiting.pop(conn, None)

    def capped(self, app: ASGIApp) -> ASGIApp:
        """``app`` behind the cap on requests in flight (those that carry a body)."""

        async def guarded(scope: Scope, receive: Any, send: Any) -> None:
            if scope.get("type") != "http" or not _has_body(scope):
                await app(scope, receive, send)
                return
            if self.in_flight >= self.max_in_flight:
                self.metrics.errors["busy"] += 1
                self.metrics.responses["503"] += 1
                message = f"the server already serves {self.max_in_flight} requests (its limit); retry shortly"
                data = json.dumps({"error": "busy", "message": message}).encode()
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                    (b"retry-after", b"1"),
                    (b"connection", b"close"),
                ]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": data})
                return
            self.in_flight += 1
            try:
                await app(scope, receive, send)
            finally:
                self.in_flight -= 1

        return guarded


def _has_body(scope: Scope) -> bool:
    if scope.get("method") in _BODY_METHODS:
        return True
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class (the one ``http="auto"`` picks) with ``limits`` enforced per connection."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class GuardedHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        """One connection: uvicorn's protocol, plus the deadlines and caps of :class:`ConnectionLimits`."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            protocol: Any = self  # uvicorn's protocol attributes are not typed on its `auto` alias
            protocol.app = limits.capped(protocol.app)
            self._timer: asyncio.TimerHandle | None = None
            self._phase = "headers"  # headers -> body -> app -> headers ...
            self._bytes_in_phase = False

        # -- uvicorn's hooks ------------------------------------------------------------------

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            if not limits.admit(self):
                transport.close()
                return
            self._wait_for_headers()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            limits.forget(self)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._bytes_in_phase = True
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        # -- deadlines ------------------------------------------------------------------------

        def _follow(self) -> None:
            """Move to the phase the request cycle is in, arming or clearing the matching deadline."""
            if self.transport is None or self.transport.is_closing():
                return
            cycle = self.cycle
            if cycle is None or cycle.response_complete:
                if self._phase != "headers":
                    self._wait_for_headers()
            elif cycle.more_body:
                if self._phase == "headers":
                    self._phase = "body"
                    self._bytes_in_phase = False
                    limits.waiting.pop(self, None)
                    self._arm(limits.body_timeout_s, "body")
            elif self._phase != "app":
                self._phase = "app"
                limits.waiting.pop(self, None)
                self._cancel()

        def _wait_for_headers(self) -> None:
            self._phase = "headers"
            self._bytes_in_phase = False
            limits.waiting.pop(self, None)
            limits.waiting[self] = None
            self._arm(limits.header_timeout_s, "headers")

        def _arm(self, seconds: float, phase: str) -> None:
            self._cancel()
            self._timer = self.loop.call_later(seconds, self._expired, phase)

        def _cancel(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _expired(self, phase: str) -> None:
            self._timer = None
            if self._phase != phase or self.transport is None or self.transport.is_closing():
                return
            seconds = limits.header_timeout_s if phase == "headers" else limits.body_timeout_s
            limits.metrics.errors["header_timeout" if phase == "headers" else "body_timeout"] += 1
            if phase == "headers" and not self._bytes_in_phase:
                self.drop(None)  # an idle connection: nothing was asked, nothing to answer
                return
            what = "request headers" if phase == "headers" else "request body"
            limits.metrics.responses["408"] += 1
            self.drop(_timeout_response(f"the {what} did not arrive within {seconds:g} s; the connection was closed"))

        def drop(self, answer: bytes | None) -> None:
            """Close this connection now, after writing ``answer`` when no response has started."""
            self._cancel()
            limits.waiting.pop(self, None)
            if self.transport is None or self.transport.is_closing():
                return
            cycle = self.cycle
            if answer is not None and (cycle is None or cycle.response_complete or not cycle.response_started):
                self.transport.write(answer)
            self.transport.close()

    return GuardedHTTPProtocol
