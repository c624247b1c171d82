"""The SFT (format warm-up) recipes before GPU runs with PAR: examples/verl/sft_*.sh,
examples/openrlhf/sft_*.sh and examples/trl/sft_judge.py. Each parses, checks its environment
first, builds its data with ``patarm data build-sft --format STACK``, and its printed launch
command (DRY_RUN=1) passes the stack's own config checks with the paper's settings.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
VERL_SFT = sorted((EXAMPLES / "verl").glob("sft_qwen3_*.sh"))
OPENRLHF_SFT = sorted((EXAMPLES / "openrlhf").glob("sft_*.sh"))
# (peak lr, decayed to) per model size: the paper's SFT settings
PAPER_LR = {"8b": (1.5e-6, 1.5e-7), "14b": (7.5e-7, 7.5e-8)}


def dry_run(script: Path, tmp_path: Path, **env: str) -> list[list[str]]:
    """The commands the script would run, each as an argv list."""
    environ = {**os.environ, "DRY_RUN": "1", "DATA_DIR": str(tmp_path), "PAIRS": str(tmp_path / "pairs.jsonl"), **env}
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=environ, timeout=60)
    assert out.returncode == 0, out.stderr
    return [shlex.split(line[2:]) for line in out.stdout.splitlines() if line.startswith("+ ")]


def size_of(script: Path) -> str:
    return next(size for size in PAPER_LR if f"_{size}" in script.name)


@pytest.mark.parametrize(
    "script", [*VERL_SFT, EXAMPLES / "verl" / "sft_common.sh", *OPENRLHF_SFT], ids=lambda p: p.name
)
def test_sft_script_parses(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


def test_sft_recipes_exist_for_each_stack_and_size() -> None:
    assert [p.name for p in VERL_SFT] == ["sft_qwen3_14b_8xa100.sh", "sft_qwen3_8b_8xa100.sh"]
    assert [p.name for p in OPENRLHF_SFT] == ["sft_qwen3_8b.sh"]
    assert sorted(p.name for p in (EXAMPLES / "trl").glob("sft_*")) == [
        "sft_judge.py", "sft_qwen3_14b.yaml", "sft_qwen3_8b.yaml"
    ]  # fmt: skip


@pytest.mark.parametrize("script", VERL_SFT + OPENRLHF_SFT, ids=lambda p: p.name)
def test_sft_recipe_without_data_or_teacher_says_what_to_set(script: Path, tmp_path: Path) -> None:
    environ = {**os.environ, "DRY_RUN": "1", "DATA_DIR": str(tmp_path), "PAIRS": "", "TEACHER_ARGS": ""}
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=environ, timeout=60)
    assert out.returncode == 1 and "set PAIRS" in out.stderr and "TEACHER_ARGS" in out.stderr


@pytest.mark.parametrize("script", VERL_SFT, ids=lambda p: p.name)
def test_verl_recipe_sft_passes_verls_config_with_the_papers_settings(script: Path, tmp_path: Path) -> None:
    verl = pytest.importorskip("verl")
    hydra = pytest.importorskip("hydra")
    from verl.utils.config import omega_conf_to_dataclass

    commands = dry_run(script, tmp_path, TEACHER_ARGS="--backend openai --base-url http://t:8000 --model T")
    assert commands[0] == ["patarm", "doctor", "--stack", "verl"]  # the recipe checks its environment first
    build = next(c for c in commands if c[:3] == ["patarm", "data", "build-sft"])
    assert build[build.index("--format") + 1] == "verl" and build[build.index("--margin") + 1] == "2"
    assert build[-6:] == ["--backend", "openai", "--base-url", "http://t:8000", "--model", "T"]
    argv = next(c for c in commands if "verl.trainer.sft_trainer" in c)
    assert argv[:2] == ["torchrun", "--standalone"]
    overrides = argv[argv.index("verl.trainer.sft_trainer") + 1 :]
    with hydra.initialize_config_dir(
        config_dir=str(Path(verl.__file__).parent / "trainer" / "config"), version_base=None
    ):
        cfg = hydra.compose(config_name="sft_trainer_engine", overrides=overrides)
    optim = omega_conf_to_dataclass(cfg.optim)
    omega_conf_to_dataclass(cfg.engine)
    omega_conf_to_dataclass(cfg.checkpoint)
    peak, low = PAPER_LR[size_of(script)]
    assert (optim.lr, optim.lr_scheduler_type) == (peak, "cosine")
    assert optim.lr * optim.min_lr_ratio == pytest.approx(low)
    assert (cfg.data.train_batch_size, cfg.trainer.total_epochs, cfg.trainer.n_gpus_per_node) == (512, 1, 8)
    assert cfg.data.train_files == build[build.index("--output") + 1] and cfg.data.messages_key == "messages"
    assert "hf_model" in cfg.checkpoint.save_contents  # a Hugging Face checkpoint for the RL stage


def test_verl_recipe_sft_multi_node_launch(tmp_path: Path) -> None:
    env = {"NNODES": "2", "NODE_RANK": "1", "MASTER_ADDR": "10.0.0.1", "SFT_FILE": str(tmp_path / "sft.parquet")}
    (tmp_path / "sft.parquet").write_text("")
    commands = dry_run(VERL_SFT[-1], tmp_path, **env)
    assert not any(c[:3] == ["patarm", "data", "build-sft"] for c in commands)  # the file is there
    argv = next(c for c in commands if "verl.trainer.sft_trainer" in c)
    assert argv[: argv.index("-m")] == [
        "torchrun", "--nnodes=2", "--node_rank=1", "--nproc_per_node=8", "--master_addr=10.0.0.1", "--master_port=29500"
    ]  # fmt: skip
    assert "trainer.nnodes=2" in argv


@pytest.mark.parametrize("script", OPENRLHF_SFT, ids=lambda p: p.name)
def test_openrlhf_recipe_sft_passes_train_sft_argument_checks(script: Path, tmp_path: Path) -> None:
    pytest.importorskip("openrlhf", reason="install OpenRLHF with `pip install --no-deps openrlhf`")
    from patarm.testing.launch import openrlhf_args

    commands = dry_run(script, tmp_path, TEACHER_ARGS="--backend openai --base-url http://t:8000 --model T")
    assert commands[0][:3] == ["patarm", "doctor", "--stack"]  # the recipe checks its environment first
    build = next(c for c in commands if c[:3] == ["patarm", "data", "build-sft"])
    assert build[build.index("--format") + 1] == "openrlhf"
    argv = next(c for c in commands if "openrlhf.cli.train_sft" in c)
    args = openrlhf_args(argv[argv.index("openrlhf.cli.train_sft") + 1 :], module="openrlhf.cli.train_sft")
    peak, low = PAPER_LR[size_of(script)]
    assert args.adam.lr == peak and args.adam.lr * args.min_lr_ratio == pytest.approx(low)
    assert args.lr_scheduler == "cosine_with_min_lr"
    assert (args.train.batch_size, args.train.max_epochs) == (512, 1)
    # the columns patarm data build-sft --format openrlhf writes, through the chat template
    assert (args.data.input_key, args.data.output_key, args.data.apply_chat_template) == ("prompt", "completion", True)
    assert args.data.dataset == build[build.index("--output") + 1]


@pytest.mark.parametrize("size", ["8b", "14b"])
def test_trl_recipe_sft_config_is_the_papers_schedule(size: str) -> None:
    pytest.importorskip("trl")
    import torch
    import yaml
    from transformers import get_scheduler
    from trl import SFTConfig

    config = yaml.safe_load((EXAMPLES / "trl" / f"sft_qwen3_{size}.yaml").read_text())
    assert config["model"] == f"Qwen/Qwen3-{size.upper()[:-1]}B"
    args = SFTConfig(**{**config["sft"], "bf16": False, "use_cpu": True})  # bf16 needs a GPU to validate
    assert args.per_device_train_batch_size * args.gradient_accumulation_steps * 8 == 512  # paper: batch 512 on 8
    assert (args.num_train_epochs, args.completion_only_loss) == (1, True)
    # the schedule the trainer builds: the peak (1.5e-6 for 8B), then 0.1 x the peak at the last step
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=args.learning_rate)
    steps = 70  # about 35.6k rows / 512
    schedule = get_scheduler(
        args.lr_scheduler_type, optimizer, num_warmup_steps=args.get_warmup_steps(steps),
        num_training_steps=steps, scheduler_specific_kwargs=args.lr_scheduler_kwargs,
    )  # fmt: skip
    rates = []
    for _ in range(steps):
        rates.append(schedule.get_last_lr()[0])
        optimizer.step()
        schedule.step()
    rates.append(schedule.get_last_lr()[0])
    peak, low = PAPER_LR[size]
    assert max(rates) == pytest.approx(peak) and rates[-1] == pytest.approx(low)


def test_trl_recipe_sft_refuses_a_malformed_target_naming_the_row(tmp_path: Path) -> None:
    import json
    import sys

    rows = [
        {"prompt": [{"role": "user", "content": "Judge."}], "completion": [{"role": "assistant", "content": t}]}
        for t in ("<answer>9</answer>", "no score here")
    ]
    data = tmp_path / "sft.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "trl" / "sft_judge.py"), "--tiny", "--data", str(data)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 1
    assert f"{data}: row 1: field 'completion' is not a well-formed judgment" in out.stderr
