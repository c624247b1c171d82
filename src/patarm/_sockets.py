"""The one way patarm binds a listening socket: the server binds with it (:mod:`patarm.serve`),
and ``patarm serve`` checks its ``--host`` and ``--port`` with it before a model loads.

>>> with bind("127.0.0.1", 0) as sock:
...     sock.getsockname()[1] > 0
True
"""

from __future__ import annotations

import socket

__all__ = ["bind"]


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on (host, port); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
