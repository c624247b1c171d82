"""benchmarks/bench_serve.py still runs end to end (tiny sizes; its figures are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent.parent / "benchmarks" / "bench_serve.py"


@pytest.mark.slow
def test_bench_serve_runs() -> None:
    args = ["--requests", "16", "--clients", "8", "--repeats", "1", "--max-new-tokens", "2", "--max-batch-size", "8"]
    out = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "throughput, micro-batching / batch size 1:" in out.stdout
    assert "batched (max 8)" in out.stdout and "batch size 1 (max 1)" in out.stdout
