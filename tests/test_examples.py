"""Every recipe in examples/ runs to completion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path) -> None:
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def test_par_example_reports_its_malformed_rollouts() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES[0].parent / "par_from_judge_outputs.py")], capture_output=True, text=True
    )
    assert "par/malformed           2.000" in out.stdout
    assert "unclosed_think" in out.stdout and "no_answer_tag" in out.stdout
