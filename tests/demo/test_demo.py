"""`patarm demo`, end to end but short: SFT warm-up, a few GRPO steps with PAR, held-out
evaluation before and after, metrics.json and the PNG plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("trl")
pytest.importorskip("matplotlib")

pytestmark = pytest.mark.slow


def test_demo_command_writes_metrics_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.cli import main

    out = tmp_path / "demo"
    args = ["--steps", "4", "--sft-steps", "20", "--eval-pairs", "16", "--eval-samples", "2", "--seed", "3"]
    code = main(["demo", *args, "--output", str(out), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "held-out pair accuracy" in printed and "format-valid rate" in printed

    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("accuracy_before", "accuracy_after", "format_valid_before", "format_valid_after"):
        assert isinstance(metrics[key], float) and 0.0 <= metrics[key] <= 1.0, key
    # 16 held-out pairs: accuracy is a count of pairs, the format rate a count of 64 rollouts
    assert (metrics["accuracy_after"] * 16).is_integer()
    assert (metrics["format_valid_after"] * 16 * 2 * 2).is_integer()
    assert metrics["minutes"] > 0.0  # recorded, not bounded: tests never assert wall-clock times
    assert metrics["config"]["steps"] == 4 and metrics["config"]["seed"] == 3
    assert metrics["flipped_pairs"] == 0
    png = out / "training.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # both judges are kept, for audits before and after PAR
    for folder in ("sft-model", "final-model"):
        assert (out / folder / "config.json").exists(), folder
