"""The TRL policy recipe's --tiny CPU path: a tiny policy, a tiny judge as the reward, 2 GRPO steps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent.parent / "examples" / "policy" / "train_policy_trl.py"


@pytest.mark.slow
def test_tiny_policy_grpo_with_the_judge_as_reward(tmp_path: Path) -> None:
    pytest.importorskip("trl")
    cmd = [sys.executable, str(SCRIPT), "--tiny", "--output", str(tmp_path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "GRPO steps done: 2" in out.stdout
    steps = [line for line in out.stdout.splitlines() if line.startswith("step ")]
    assert len(steps) == 2 and all("'judge/malformed_rate'" in line for line in steps)  # the reward logged each step
    assert (tmp_path / "tiny-policy" / "config.json").exists()


def test_verl_reward_file_exposes_compute_score() -> None:
    import importlib.util

    path = SCRIPT.parent / "verl_reward.py"
    spec = importlib.util.spec_from_file_location("verl_reward", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # what verl does with custom_reward_function.path
    from patarm.adapters.verl import compute_score, compute_score_async

    assert module.compute_score is compute_score and module.compute_score_async is compute_score_async
