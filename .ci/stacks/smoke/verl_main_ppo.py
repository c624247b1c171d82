"""verl launch smoke, on a CPU: the docs' verl commands run as far as a CPU allows.

1. the docs' verl block, its ``...`` replaced by a tiny local model and the CPU settings below,
   on 128 synthetic pairs (256 rows: the docs' batch);
2. its ``main_ppo`` overrides composed with verl's Hydra config, through ``validate_config`` and
   patarm's ``check_verl_config`` (which the trainer runs only in its reward workers, past the GPUs);
3. the block run by bash: ``patarm data build-verl``, then the real ``main_ppo``: Ray,
   TransferQueue, the tokenizer and ``PairShuffledDataset`` come up, and it must stop at the GPU
   boundary, verl's resource check (``Total available GPUs 0 is less than total desired GPUs 1``);
4. verl's worker-side imports and monkey patch in a fresh process (verl_worker_imports.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from launch_checks import fail as smoke_fail
from launch_checks import stopped_at_boundary, write_pairs
from readme import launch_argv, launch_block, with_extra
from readme import run as run_script

HERE = Path(__file__).parent
PAGE = "how-to/train-verl.md"
GPU_BOUNDARY = "Total available GPUs 0 is less than total desired GPUs 1"
DATASET_UP = "train and validate dataloader initialized, train dataset size: 256"
NOT_THE_BOUNDARY = ("ModuleNotFoundError", "ImportError", "ConfigAttributeError", "ConfigKeyError", "PairConfigError")


def cpu_overrides(model: Path) -> list[str]:
    """What stands for the docs' '...': the settings it leaves to the user (a model, micro-batch
    sizes), then what a CPU machine needs (one node with one 'GPU', one storage unit, 2 CPUs)."""
    return [
        f"actor_rollout_ref.model.path={model}",
        "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1",
        "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=1",
        "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=1",
        "data.val_files=data/train.parquet",
        "trainer.nnodes=1",
        "trainer.n_gpus_per_node=1",
        "trainer.logger=[console]",
        "trainer.val_before_train=False",
        "transfer_queue.backend.SimpleStorage.num_data_storage_units=1",
        "ray_kwargs.ray_init.num_cpus=2",
    ]


SMOKE = "verl"
fail = partial(smoke_fail, SMOKE)


def main() -> int:
    from patarm.testing import save_tiny_model

    with tempfile.TemporaryDirectory(prefix="patarm-verl-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        pairs = [
            {"pair_id": f"p{i}", "prompt": f"What is {i} + {i}?", "chosen": str(2 * i), "rejected": str(2 * i + 1)}
            for i in range(128)
        ]
        write_pairs(work, pairs)

        # 1-3. the docs' block (data build, main_ppo) with the CPU settings in place of its '...'
        script = with_extra(launch_block(PAGE, "verl.trainer.main_ppo"), cpu_overrides(model))
        overrides = launch_argv(script, "verl.trainer.main_ppo", work)
        check = subprocess.run(
            [sys.executable, str(HERE / "verl_config_check.py"), *overrides],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check.returncode != 0:
            fail("config composition / validate_config / check_verl_config", check.stdout + check.stderr)
        print(check.stdout.strip())
        env = {**os.environ, "VERL_LOGGING_LEVEL": "INFO", "HYDRA_FULL_ERROR": "1", "RAY_DEDUP_LOGS": "0"}
        run = run_script(script, work, timeout=600, env=env)
        # errors raised on the way (verl's warnings about optional engines it lacks are not errors)
        stopped_at_boundary(SMOKE, "main_ppo", run, GPU_BOUNDARY, DATASET_UP, "PairShuffledDataset", NOT_THE_BOUNDARY)
        print(f"main_ppo: dataset built ({DATASET_UP}), stopped at the GPU boundary: ValueError: {GPU_BOUNDARY}")

    # 4. the workers' imports and monkey patch, in a fresh process
    worker = subprocess.run(
        [sys.executable, str(HERE / "verl_worker_imports.py")], capture_output=True, text=True, timeout=300
    )
    if worker.returncode != 0:
        fail("verl's worker-side imports", worker.stdout + worker.stderr)
    print(worker.stdout.strip().splitlines()[-1])
    print("verl launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
