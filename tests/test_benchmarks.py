"""The benchmark scripts still run (tiny sizes; their figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("bench_par.py", ["--pairs", "200", "--repeats", "1"], "batch == per-pair exactly: True"),
        ("bench_parser.py", ["--outputs", "300"], "outputs/s"),
        ("bench_parser_vs_9224e7a.py", ["--outputs", "200", "--repeats", "1", "--chunk", "50"], "9224e7a"),
        ("bench_adversarial.py", ["--sizes", "1000,10000", "--repeats", "1"], "(10 = linear)"),
        ("bench_redact.py", ["--sizes", "1000,10000", "--repeats", "1"], "(10 = linear)"),
        ("bench_rendezvous.py", ["--pairs", "8", "--n", "2", "--repeats", "1"], "rewards identical on all three paths"),
        ("bench_best_of_n.py", ["--n", "3"], "pairwise, both orders, all pairs"),
        ("bench_template_guard.py", ["--renders", "20", "--repeats", "1"], "identical output: True"),
        ("bench_serve_refusal.py", ["--bytes", "100000"], "before / after:"),
        ("bench_replicas.py", ["--items", "24", "--latency-s", "0.01", "--repeats", "1"], "speed-up (1 -> 3 replicas)"),
        ("bench_trl_overhead.py", ["--rounds", "1", "--steps", "2", "--warmup-steps", "0"], "PAR step time"),
    ],
)
def test_benchmark_runs(script: str, args: list[str], expect: str) -> None:
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert expect in out.stdout
