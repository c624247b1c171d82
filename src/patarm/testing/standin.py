"""A stand-in for a vLLM judge server: OpenAI-compatible, judge-format answers, fixed latency.

It answers ``POST /v1/chat/completions`` and ``/v1/completions`` (and ``GET /health``) the way a
judge model would, with ``<criteria>``, ``<rationale>`` and ``<answer>`` tags, but costs no CPU:
each request waits ``latency_s`` (an ``asyncio.sleep``) with at most ``max_concurrency`` requests
served at once (the rest queue, as in a saturated vLLM server). The score is the number after the
first ``ID=`` from the ``<response>`` tag on (5 when there is none), so a test can tell which item
an answer belongs to; each answer's ID is appended to ``log`` (one line per answer, written before
the answer is sent), so the items a server judged can be counted even after it was killed.

Run as a process (so a test can kill it)::

    python -m patarm.testing.standin --port 8001 --latency-s 0.05 --max-concurrency 4 --log answered.txt

or with :func:`standin_server`, which starts one on a free port and yields its URL and process.
Needs ``starlette`` and ``uvicorn`` (the ``serve`` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from patarm.errors import InputError
from patarm.testing.servers import ServerUnavailable, free_port, stop_process, wait_for_health

__all__ = ["answered_ids", "judge_text", "main", "standin_server", "standin_servers"]

_ID = re.compile(r"ID=(\d{1,12})")  # bounded: linear on any text


def judge_text(prompt: str) -> tuple[str, str]:
    """The stand-in judge's answer to ``prompt`` and the ID it scored (``"5"`` when none).

    >>> judge_text("<prompt>Hi</prompt><response>ID=42 hello</response>")[1]
    '42'
    """
    found = _ID.search(prompt, max(prompt.find("<response>"), 0))
    ident = found.group(1) if found else "5"
    return f"<criteria>stand-in</criteria><rationale>ID={ident}</rationale><answer>{ident}</answer>", ident


def answered_ids(log: str | Path) -> list[str]:
    """The IDs a stand-in server answered, in order, read from its ``log`` (none if it has none)."""
    path = Path(log)
    return path.read_text().split() if path.exists() else []


def _app(latency_s: float, max_concurrency: int, log: Path) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    gate = asyncio.Semaphore(max_concurrency)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def complete(request: Request) -> Response:
        body = await request.json()
        chat = "messages" in body
        prompt = str(body["messages"][-1]["content"]) if chat else str(body.get("prompt", ""))
        n = int(body.get("n", 1))
        async with gate:
            await asyncio.sleep(latency_s)
            text, ident = judge_text(prompt)
            os.write(fd, f"{ident}\n".encode())
        choices = [
            {
                "index": i,
                "finish_reason": "stop",
                **({"message": {"role": "assistant", "content": text}} if chat else {"text": text}),
            }
            for i in range(n)
        ]
        return JSONResponse({"object": "chat.completion" if chat else "text_completion", "choices": choices})

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/v1/chat/completions", complete, methods=["POST"]),
            Route("/v1/completions", complete, methods=["POST"]),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the stand-in judge until stopped."""
    parser = argparse.ArgumentParser(prog="python -m patarm.testing.standin", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-s", type=float, default=0.05, help="seconds each request takes (default 0.05)")
    parser.add_argument("--max-concurrency", type=int, default=4, help="requests served at once (default 4)")
    parser.add_argument("--log", required=True, help="file that gets one line (the scored ID) per answer")
    args = parser.parse_args(argv)
    import uvicorn

    app = _app(args.latency_s, max(1, args.max_concurrency), Path(args.log))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, backlog=4096)
    return 0


@contextmanager
def standin_server(
    log: str | Path, *, latency_s: float = 0.05, max_concurrency: int = 4, timeout_s: float = 60.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A stand-in judge server process on a free local port: yields (base URL, process).

    Raises :class:`~patarm.testing.servers.ServerUnavailable` when starlette or uvicorn is missing
    or the server does not come up. The process is stopped on exit (if still running)."""
    with standin_servers([log], latencies_s=[latency_s], max_concurrency=max_concurrency, timeout_s=timeout_s) as one:
        yield one[0]


@contextmanager
def standin_servers(
    logs: Sequence[str | Path],
    *,
    latencies_s: Sequence[float] | None = None,
    max_concurrency: int = 4,
    timeout_s: float = 60.0,
) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    """One stand-in judge server per log file, started together (each on a free local port):
    yields their (base URL, process), in order. ``latencies_s``: one per server (default 0.05 s)."""
    import importlib.util

    for module in ("starlette", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            raise ServerUnavailable(f"the stand-in judge server needs {module}: pip install 'patarm[serve]'")
    latencies = list(latencies_s) if latencies_s is not None else [0.05] * len(logs)
    if len(latencies) != len(logs):
        raise InputError(f"{len(logs)} logs but {len(latencies)} latencies")
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = []
    try:
        for log, latency in zip(logs, latencies, strict=True):
            port = free_port()
            cmd = [sys.executable, "-m", "patarm.testing.standin", "--port", str(port), "--log", str(log)]
            cmd += ["--latency-s", str(latency), "--max-concurrency", str(max_concurrency)]
            errors = Path(f"{log}.stderr")
            with errors.open("wb") as err:
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
            started.append((f"http://127.0.0.1:{port}", proc, errors))
        for url, proc, errors in started:
            problem = wait_for_health(url, proc, timeout_s)
            if problem:
                tail = errors.read_text(errors="replace")[-2000:]
                raise ServerUnavailable(f"the stand-in judge server: {problem}\n{tail}")
        yield [(url, proc) for url, proc, _ in started]
    finally:
        for _, proc, _ in started:
            if proc.poll() is None:
                stop_process(proc)


if __name__ == "__main__":
    sys.exit(main())
