"""Real judge servers for the server tests: ``patarm serve`` in a subprocess on a free local port."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from patarm.testing.servers import stop_process, wait_for_health

ECHO = str(Path(__file__).parent / "echo_judge.py") + ":judge"
API_KEY = "test-secret-key"


class Server:
    """A running ``patarm serve``: its base URL and its log."""

    def __init__(self, url: str, proc: subprocess.Popen[str], log: Path) -> None:
        self.url = url
        self.proc = proc
        self.log = log  # stderr (uvicorn's error log, patarm's log); stdout (the access log) is in ``out``
        self.out = log.with_name("stdout.log")

    def all_logs(self) -> str:
        """Every line the server wrote, stdout (access log) and stderr."""
        return self.log.read_text() + self.out.read_text()

    def metrics(self, headers: dict[str, str] | None = None) -> dict:
        return httpx.get(self.url + "/metrics.json", headers=headers, timeout=10).json()

    def wait_idle(self, timeout_s: float = 15.0) -> None:
        """Until no batch runs and nothing waits."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            body = httpx.get(self.url + "/health", timeout=5).json()
            if body["running_batches"] == 0 and body["queued_items"] == 0:
                return
            time.sleep(0.05)
        raise AssertionError("the server did not become idle")


def _open_files(limit: int | None) -> Callable[[], None] | None:
    """A pre-exec hook that lowers the child's soft limit on open files to ``limit`` (None: leave it)."""
    if limit is None:
        return None

    def lower() -> None:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

    return lower


def launch(
    args: list[str], *, api_key: str | None = None, startup_s: float = 120.0, fd_limit: int | None = None
) -> Iterator[Server]:
    """Start ``patarm serve ARGS --port 0``, wait until /health answers, yield it, stop it.

    ``fd_limit`` sets the server's soft limit on open files (``ulimit -n``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PATARM_JUDGE_API_KEY", "PATARM_SERVE_API_KEY")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"})
    if api_key:
        env["PATARM_JUDGE_API_KEY"] = api_key
    log = Path(tempfile.mkdtemp(prefix="patarm-serve-test-")) / "server.log"
    with log.open("w") as err:
        cmd = [sys.executable, "-m", "patarm", "serve", "--port", "0", "--log-level", "warning", *args]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, preexec_fn=_open_files(fd_limit)
        )
    try:
        assert proc.stdout is not None
        # The first line that says where it listens (a backend such as vLLM may print before it).
        seen: list[str] = []
        line = proc.stdout.readline()
        while line and "listening on" not in line:
            seen.append(line)
            line = proc.stdout.readline()
        if "listening on" not in line:
            proc.wait(10)
            pytest.fail(f"patarm serve did not start: {''.join(seen)[-2000:]!r}\n{log.read_text()}")
        url = line.split("listening on ", 1)[1].split()[0]
        out = log.with_name("stdout.log")

        def drain() -> None:  # keeps the pipe from filling, and keeps the access log for the tests
            assert proc.stdout is not None
            with out.open("w") as sink:
                for rest in proc.stdout:
                    sink.write(rest)
                    sink.flush()

        threading.Thread(target=drain, daemon=True).start()
        problem = wait_for_health(url, proc, startup_s)
        if problem:
            pytest.fail(f"patarm serve: {problem}:\n{log.read_text()}")
        yield Server(url, proc, log)
    finally:
        stop_process(proc, 15)


@pytest.fixture(scope="session")
def launch_server() -> Callable[..., Iterator[Server]]:
    """:func:`launch`, for test modules that start servers with settings of their own."""
    return launch


@pytest.fixture(scope="session")
def tiny_server() -> Iterator[Server]:
    """The tiny random judge model, with an API key and small limits."""
    args = ["--backend", "tiny", "--max-new-tokens", "8", "--max-batch-size", "8", "--max-items", "8"]
    args += ["--max-queue", "64", "--max-body-bytes", "65536", "--max-text-chars", "2000"]
    yield from launch(args, api_key=API_KEY)


@pytest.fixture(scope="session")
def echo_server() -> Iterator[Server]:
    """The scripted judge (score = the request's ID), for load: big queue, batches of up to 32."""
    args = ["--backend", "python", "--model", ECHO, "--scale", "0", "1000000", "--max-batch-size", "32"]
    args += ["--max-wait-ms", "5", "--max-queue", "1024", "--max-items", "64"]
    yield from launch(args)


@pytest.fixture(scope="session")
def fault_server() -> Iterator[Server]:
    """The scripted judge with a 1 s deadline, a 4-item queue and one worker, for faults."""
    args = ["--backend", "python", "--model", ECHO, "--scale", "0", "1000000", "--max-batch-size", "4"]
    args += ["--max-wait-ms", "20", "--max-queue", "4", "--max-items", "4", "--timeout", "1", "--workers", "1"]
    yield from launch(args)


HARDENING_KEY = "hardening-Key+with/odd=chars"


@pytest.fixture(scope="module")
def hard_server() -> Iterator[Server]:
    """The scripted judge with an API key, two workers, a 1 s stall timeout and debug logs."""
    args = ["--backend", "python", "--model", ECHO, "--scale", "0", "1000000", "--workers", "2"]
    args += ["--max-batch-size", "4", "--timeout", "60", "--stall-timeout", "1", "--log-level", "debug"]
    yield from launch(args, api_key=HARDENING_KEY)


@pytest.fixture(scope="module")
def fd_limited_server() -> Iterator[Server]:
    """The scripted judge under ``ulimit -n 1024``, with a header deadline far beyond any test."""
    args = ["--backend", "python", "--model", ECHO, "--scale", "0", "1000000", "--header-timeout", "600"]
    yield from launch(args, fd_limit=1024)


@pytest.fixture(scope="module")
def stall_server() -> Iterator[Server]:
    """The scripted judge with a 1 s header deadline and at most 50 connections (set by flags)."""
    args = ["--backend", "python", "--model", ECHO, "--header-timeout", "1", "--max-connections", "50"]
    yield from launch(args)


@pytest.fixture(scope="module")
def vllm_judge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``patarm serve --backend vllm`` on the tiny model (head size 32), greedy, 3 samples, expected score."""
    from engines import require_vllm, save_engine_model

    require_vllm()
    # vLLM logs to stdout, which the launcher stops reading once the server listens: keep it short.
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")
    model = save_engine_model(tmp_path_factory.mktemp("vllm-judge") / "model")
    args = ["--backend", "vllm", "--model", str(model), "--tiers", "primary", "--samples", "3", "--temperature", "0"]
    args += ["--max-new-tokens", "8", "--expected-score", "--max-batch-size", "4"]
    args += [
        "--engine-arg",
        "dtype=float32",
        "--engine-arg",
        "enforce_eager=true",
        "--engine-arg",
        "max_model_len=4096",
    ]
    yield from launch(args, startup_s=600)
