"""Run the judge server with uvicorn: in the foreground (``patarm serve``) or in a background thread
(tests, benchmarks, a training script that wants its judge in the same process).

Both bind the socket first, so ``port=0`` picks a free port and the real address is known
before the first request.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> from patarm.serve import create_app
>>> app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> with ServerThread(app) as server:
...     import httpx
...     httpx.get(server.url + "/health").json()["status"]
'ok'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from patarm._extras import require
from patarm._sockets import bind
from patarm.serve._connections import ConnectionLimits, guarded_protocol, open_file_limit
from patarm.serve._settings import ServeSettings

__all__ = ["ServerThread", "serve"]


def _server(app: Any, log_level: str, graceful_s: float) -> Any:
    """A uvicorn server for ``app``, with the connection limits of its settings (:mod:`patarm.serve._connections`)."""
    uvicorn = require("uvicorn", "serve")
    service = getattr(getattr(app, "state", None), "service", None)  # set by create_app
    settings: ServeSettings = service.settings if service is not None else ServeSettings()
    limits = ConnectionLimits(settings, service.metrics if service is not None else None, fd_limit=open_file_limit())
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=graceful_s,
        http=guarded_protocol(limits),
        timeout_keep_alive=settings.keep_alive_s,
    )
    return uvicorn.Server(config)


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    log_level: str = "info",
    on_bound: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` until interrupted (SIGINT / SIGTERM shut it down gracefully).

    ``on_bound(url)`` is called once the socket is bound (with the real port when ``port`` is 0).
    """
    sock = bind(host, port)
    bound = sock.getsockname()[1]
    if on_bound is not None:
        on_bound(f"http://{host}:{bound}")
    try:
        _server(app, log_level, 5.0).run(sockets=[sock])
    finally:
        sock.close()


class ServerThread:
    """The app served from a daemon thread on 127.0.0.1 (a free port by default); a context manager.

    ``url`` is the base address; :meth:`stop` shuts the server down and joins the thread.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning") -> None:
        self.app = app
        self._sock = bind(host, port)
        self.url = f"http://{host}:{self._sock.getsockname()[1]}"
        self._server = _server(app, log_level, 2.0)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self, timeout_s: float = 30.0) -> ServerThread:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shut down and wait for the thread."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
