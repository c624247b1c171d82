"""verl SFT launch smoke, on a CPU: examples/verl/sft_qwen3_8b_8xa100.sh run as far as a CPU allows.

1. the recipe run by bash on a tiny local model, 8 synthetic pairs and a scripted teacher (GPU checks
   of ``patarm doctor`` off, one process): ``patarm data build-sft --format verl`` writes the parquet,
   then the real ``torchrun -m verl.trainer.sft_trainer`` composes its Hydra config, imports verl's
   trainer and engines, and must stop at the GPU boundary, the NCCL process group
   (``Distributed package doesn't have NCCL built in``);
2. the recipe's overrides composed with verl's ``sft_trainer_engine`` config, turned into verl's
   typed configs (model, engine, optimizer, checkpoint) as ``SFTTrainer._build_config`` does, and
   the parquet loaded by verl's ``MultiTurnSFTDataset`` with the tiny tokenizer, the loss on the
   teacher's judgment only; the paper's settings (lr 1.5e-6 -> 0.1 x, batch 512, 1 epoch) checked.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from launch_checks import dry_run_argv, early_errors, sft_pairs, sft_recipe_env
from launch_checks import fail as smoke_fail

RECIPE = Path(__file__).parents[3] / "examples" / "verl" / "sft_qwen3_8b_8xa100.sh"
GPU_BOUNDARY = "RuntimeError: Distributed package doesn't have NCCL built in"
WHERE = "initialize_global_process_group"
NOT_THE_BOUNDARY = ("ModuleNotFoundError", "ImportError", "ConfigAttributeError", "ConfigKeyError")


SMOKE = "verl SFT"
fail = partial(smoke_fail, SMOKE)


def main() -> int:
    from patarm.testing import save_tiny_model

    with tempfile.TemporaryDirectory(prefix="patarm-verl-sft-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        sft_pairs(work)
        env = sft_recipe_env(work, model, CKPT_DIR=str(work / "ckpt"))
        # 1. the recipe, for real: data build, then verl's SFT trainer up to the GPU boundary
        run = subprocess.run(["bash", str(RECIPE)], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        output = run.stdout + run.stderr
        parquet = work / "data" / "sft_verl.parquet"
        if not parquet.exists():
            fail("patarm data build-sft --format verl wrote no parquet", output)
        if run.returncode == 0:
            fail("verl's SFT trainer ran to the end on a CPU: the GPU boundary moved", output)
        if GPU_BOUNDARY not in output or WHERE not in output:
            fail(f"sft_trainer stopped before the GPU boundary ({GPU_BOUNDARY!r} in {WHERE} not seen)", output)
        early = early_errors(output, NOT_THE_BOUNDARY, warning="Warning")
        if early:
            fail(f"sft_trainer hit {early} on its way", output)
        print(f"sft_trainer: stopped at the GPU boundary: {GPU_BOUNDARY} ({WHERE})")

        # 2. the overrides through verl's own config classes and dataset
        overrides = dry_run_argv(SMOKE, RECIPE, work, env, "verl.trainer.sft_trainer")
        check = subprocess.run(
            [sys.executable, "-c", CHECK, *overrides], cwd=work, capture_output=True, text=True, timeout=300
        )
        if check.returncode != 0:
            fail("the recipe's overrides through verl's config and dataset", check.stdout + check.stderr)
        print(check.stdout.strip().splitlines()[-1])
    print("verl SFT launch smoke passed")
    return 0


CHECK = """
import sys
from pathlib import Path
import hydra, verl
from verl.trainer.sft_trainer import create_sft_dataset
from verl.utils.config import omega_conf_to_dataclass

config_dir = str(Path(verl.__file__).parent / "trainer" / "config")
with hydra.initialize_config_dir(config_dir=config_dir, version_base=None):
    cfg = hydra.compose(config_name="sft_trainer_engine", overrides=sys.argv[1:])
model = omega_conf_to_dataclass(cfg.model)
engine, optim = omega_conf_to_dataclass(cfg.engine), omega_conf_to_dataclass(cfg.optim)
omega_conf_to_dataclass(cfg.checkpoint)
assert (optim.lr, optim.min_lr_ratio, optim.lr_scheduler_type) == (1.5e-6, 0.1, "cosine"), optim
assert (cfg.data.train_batch_size, cfg.trainer.total_epochs) == (512, 1)
assert "hf_model" in cfg.checkpoint.save_contents
dataset = create_sft_dataset(cfg.data.train_files, cfg.data, model.tokenizer, model.processor)
item = dataset[0]
trained = model.tokenizer.decode(item["input_ids"][item["loss_mask"].bool()]).replace(" ", "")
assert "<answer>9</answer>" in trained and "<response>" not in trained, trained
print(f"sft_trainer config: composed, typed ({engine.strategy}, lr {optim.lr:g} cosine to x{optim.min_lr_ratio:g}, "
      f"batch {cfg.data.train_batch_size}); {len(dataset)} rows in MultiTurnSFTDataset, loss on the judgment only")
"""

if __name__ == "__main__":
    sys.exit(main())
