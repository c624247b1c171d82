"""verl launch smoke, on a CPU: the policy GRPO recipe with the judge in verl's reward-model pool
(examples/policy/run_verl_grpo_reward_pool.sh) runs as far as a CPU allows.

A tiny local model stands for both the policy and the judge, on 16 synthetic prompt rows. The
recipe's real ``main_ppo`` must bring up Ray, TransferQueue, the tokenizer and the dataset, and
stop at the GPU boundary, verl's resource check, asking for the policy's GPU and the judge
pool's (``Total available GPUs 0 is less than total desired GPUs 2``). The judge servers, the
router and a reward call never run here (tests/adapters/verl/test_reward_pool.py runs the reward
path on a CPU with verl's own worker and router in front of a stand-in judge server).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from launch_checks import fail as smoke_fail
from launch_checks import stopped_at_boundary

ROOT = Path(__file__).parents[3]
RECIPE = ROOT / "examples" / "policy" / "run_verl_grpo_reward_pool.sh"
ROWS = 16
GPU_BOUNDARY = "Total available GPUs 0 is less than total desired GPUs 2"
DATASET_UP = f"train dataset size: {ROWS}"
NOT_THE_BOUNDARY = ("ModuleNotFoundError", "ImportError", "ConfigAttributeError", "ConfigKeyError")

# What a CPU machine needs: one node with one "GPU" for the policy and one for the judge, one
# storage unit, 2 CPUs (the recipe's variables set the rest).
CPU_OVERRIDES = [
    "trainer.logger=[console]",
    "transfer_queue.backend.SimpleStorage.num_data_storage_units=1",
    "ray_kwargs.ray_init.num_cpus=2",
]


SMOKE = "verl reward-pool"
fail = partial(smoke_fail, SMOKE)


def write_rows(path: Path) -> None:
    """Policy prompts as verl reads them, the judge's prompt text in ``extra_info``."""
    import pandas as pd

    rows = [
        {
            "data_source": "chat_prompts",
            "prompt": [{"role": "user", "content": f"Say something kind about the number {i}."}],
            "ability": "chat",
            "reward_model": {"style": "model", "ground_truth": ""},
            "extra_info": {"prompt": f"Say something kind about the number {i}.", "domain": "chat", "index": i},
        }
        for i in range(ROWS)
    ]
    pd.DataFrame(rows).to_parquet(path)


def main() -> int:
    from patarm.testing import save_tiny_model

    with tempfile.TemporaryDirectory(prefix="patarm-verl-pool-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        write_rows(work / "train.parquet")
        env = {
            **os.environ,
            "TRAIN_FILE": str(work / "train.parquet"),
            "POLICY_PATH": str(model),
            "JUDGE_PATH": str(model),
            "CKPT_DIR": str(work / "ckpt"),
            "POLICY_GPUS": "1",
            "JUDGE_GPUS": "1",
            "TRAIN_BATCH_SIZE": "4",
            "PPO_MINI_BATCH_SIZE": "4",
            "ROLLOUT_N": "2",
            "MAX_PROMPT_LENGTH": "64",
            "MAX_RESPONSE_LENGTH": "32",
            "DOCTOR_FLAGS": "--no-gpu",
            "VERL_LOGGING_LEVEL": "INFO",
            "RAY_DEDUP_LOGS": "0",
        }
        run = subprocess.run(
            ["bash", str(RECIPE), *CPU_OVERRIDES], cwd=work, capture_output=True, text=True, timeout=600, env=env
        )
        stopped_at_boundary(SMOKE, "main_ppo", run, GPU_BOUNDARY, DATASET_UP, "the dataset", NOT_THE_BOUNDARY)
        print(f"reward-pool recipe: dataset built ({DATASET_UP}), stopped at the GPU boundary: {GPU_BOUNDARY}")
    print("verl reward-pool launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
