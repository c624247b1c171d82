"""examples/trl/train_judge.py: the 8B config parses into a valid GRPO setup, and ``--tiny``
runs the whole recipe (file -> pairs -> rows -> PARGRPOTrainer) for 2 steps on the CPU."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl")
yaml = pytest.importorskip("yaml")

EXAMPLE = Path(__file__).parents[3] / "examples" / "trl"


def test_8b_config_holds_the_papers_settings_and_whole_pairs() -> None:
    from patarm.adapters.trl import check_pair_batching

    config = yaml.safe_load((EXAMPLE / "qwen3_8b.yaml").read_text())
    grpo = config["grpo"]
    assert grpo["learning_rate"] == 5e-7 and grpo["num_train_epochs"] == 1
    assert grpo["max_completion_length"] == 4096 and grpo["num_generations"] == 8
    assert grpo["use_vllm"] is True and grpo["vllm_mode"] == "colocate"
    processes = 16  # 16 A100 in the paper
    per_process_rows = grpo["per_device_train_batch_size"] * grpo["gradient_accumulation_steps"]
    generation_batch = per_process_rows * processes
    assert generation_batch // grpo["num_generations"] == 256  # the paper's batch of 256 judge prompts
    check_pair_batching(
        num_generations=grpo["num_generations"],
        generation_batch_size=generation_batch,
        per_process_rows=per_process_rows,
        num_processes=processes,
    )


@pytest.mark.slow
def test_tiny_run_trains_two_steps(tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLE / "train_judge.py"), "--tiny", "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "6 pairs -> 12 judge prompts" in result.stdout
    assert "done: 2 steps" in result.stdout
    assert (tmp_path / "out" / "config.json").exists()  # the trained model was saved
