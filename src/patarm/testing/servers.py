"""Start-up and shut-down of local server processes, shared by tests and benchmarks."""

from __future__ import annotations

import subprocess
import time

__all__ = ["stop_process", "wait_for_health"]


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
