"""The launch recipes in examples/verl, examples/policy and examples/openrlhf (GPU jobs, never
run here): each parses, and its printed command (DRY_RUN=1) passes the stack's own config checks.

- verl: the overrides compose with verl's Hydra config and pass ``validate_config``,
  patarm's ``check_verl_config``, and resolve to patarm's reward manager and dataset.
- verl policy GRPO with the judge in verl's reward-model pool: the overrides compose, pass
  ``validate_config``, enable verl's reward model and resolve to patarm's reward function.
- OpenRLHF: the flags pass the argument parser and post-parse checks of OpenRLHF's
  ``train_ppo_ray`` (``patarm.testing.launch.openrlhf_args``).
- Each recipe runs ``patarm doctor --stack ...`` before anything else.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
VERL_SCRIPTS = sorted((EXAMPLES / "verl").glob("run_*.sh"))
# Sourced by the verl scripts, not run on its own: parse-checked only.
VERL_SHARED = sorted(set((EXAMPLES / "verl").glob("*.sh")) - set(VERL_SCRIPTS))
OPENRLHF_SCRIPTS = sorted((EXAMPLES / "openrlhf").glob("run_*.sh"))  # the SFT recipes: test_sft_recipes.py
POLICY_POOL_SCRIPT = EXAMPLES / "policy" / "run_verl_grpo_reward_pool.sh"


def dry_run(script: Path, tmp_path: Path, **env: str) -> list[str]:
    """The commands the script would run, each as an argv list."""
    train = tmp_path / "train.data"
    train.write_text("")
    environ = {**os.environ, "DRY_RUN": "1", "DATA_DIR": str(tmp_path), "PAIRS": str(tmp_path / "pairs.jsonl"), **env}
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=environ, timeout=60)
    assert out.returncode == 0, out.stderr
    return [shlex.split(line[2:]) for line in out.stdout.splitlines() if line.startswith("+ ")]


@pytest.mark.parametrize(
    "script", VERL_SCRIPTS + VERL_SHARED + OPENRLHF_SCRIPTS + [POLICY_POOL_SCRIPT], ids=lambda p: p.name
)
def test_script_parses(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


@pytest.mark.parametrize("script", VERL_SCRIPTS, ids=lambda p: p.name)
def test_verl_recipe_passes_verl_and_patarm_checks(script: Path, tmp_path: Path) -> None:
    verl = pytest.importorskip("verl")
    hydra = pytest.importorskip("hydra")
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import resolve_reward_manager_cls
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config
    from verl.utils.dataset.rl_dataset import get_dataset_class

    from patarm.adapters.verl import PairShuffledDataset, PARRewardLoopManager, VerlSettings, check_verl_config
    from patarm.rewards import GradedDelta

    commands = dry_run(script, tmp_path, TRAIN_FILE=str(tmp_path / "train.parquet"))
    assert commands[0] == ["patarm", "doctor", "--stack", "verl"]  # the recipe checks its environment first
    assert any(c[:3] == ["patarm", "data", "build-verl"] for c in commands)
    argv = next(c for c in commands if "verl.trainer.main_ppo" in c)
    overrides = argv[argv.index("verl.trainer.main_ppo") + 1 :]
    with hydra.initialize_config_dir(
        config_dir=str(Path(verl.__file__).parent / "trainer" / "config"), version_base=None
    ):
        cfg = hydra.compose(config_name="ppo_trainer", overrides=overrides)
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    OmegaConf.resolve(cfg)
    assert check_verl_config(cfg) == []
    assert resolve_reward_manager_cls(cfg) is PARRewardLoopManager
    assert get_dataset_class(cfg.data) is PairShuffledDataset
    settings = VerlSettings.from_verl_config(cfg).par
    assert settings.rollouts_per_side == cfg.actor_rollout_ref.rollout.n == 8
    assert settings.delta == GradedDelta(threshold=2.0, low=0.5, high=1.0)
    assert cfg.actor_rollout_ref.rollout.response_length in (2048, 4096)


def test_verl_recipe_policy_puts_the_judge_in_verls_reward_pool(tmp_path: Path) -> None:
    verl = pytest.importorskip("verl")
    hydra = pytest.importorskip("hydra")
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import get_custom_reward_fn
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    from patarm.adapters.verl import compute_score_async
    from patarm.adapters.verl._pool_judge import judge_config

    commands = dry_run(POLICY_POOL_SCRIPT, tmp_path, TRAIN_FILE=str(tmp_path / "train.parquet"), JUDGE_PATH="judge")
    assert commands[0] == ["patarm", "doctor", "--stack", "verl"]  # the recipe checks its environment first
    argv = next(c for c in commands if "verl.trainer.main_ppo" in c)
    overrides = argv[argv.index("verl.trainer.main_ppo") + 1 :]
    with hydra.initialize_config_dir(
        config_dir=str(Path(verl.__file__).parent / "trainer" / "config"), version_base=None
    ):
        cfg = hydra.compose(config_name="ppo_trainer", overrides=overrides)
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    OmegaConf.resolve(cfg)
    pool = cfg.reward.reward_model
    assert (pool.enable, pool.model_path, pool.enable_resource_pool, pool.rollout.name) == (True, "judge", True, "vllm")
    assert pool.n_gpus_per_node == 4 and cfg.trainer.n_gpus_per_node == 4
    fn = get_custom_reward_fn(cfg)  # verl's own loader: patarm's function with the recipe's reward_kwargs
    assert fn is not None and fn.args[0] is compute_score_async
    kwargs = fn.args[1]
    assert kwargs["fallback_reward"] == 1.0
    config = judge_config(kwargs["judge"])
    assert (config.samples, config.temperature, config.max_new_tokens) == (1, 1.0, 1024)
    assert "url" not in kwargs  # no separate judge server


def test_verl_recipe_policy_needs_the_judge_path(tmp_path: Path) -> None:
    out = subprocess.run(
        ["bash", str(POLICY_POOL_SCRIPT)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "DRY_RUN": "1", "JUDGE_PATH": ""},
    )  # fmt: skip
    assert out.returncode == 1 and "set JUDGE_PATH" in out.stderr


@pytest.mark.parametrize("script", OPENRLHF_SCRIPTS, ids=lambda p: p.name)
def test_openrlhf_recipe_passes_openrlhf_argument_checks(script: Path, tmp_path: Path) -> None:
    pytest.importorskip("openrlhf", reason="install OpenRLHF with `pip install --no-deps openrlhf`")
    from patarm.adapters.openrlhf import PAIR_AGENT_PATH
    from patarm.testing.launch import openrlhf_args

    commands = dry_run(script, tmp_path)
    assert commands[0][:3] == ["patarm", "doctor", "--stack"]  # the recipe checks its environment first
    argv = next(c for c in commands if "openrlhf.cli.train_ppo_ray" in c)
    env = json.loads(next(a for a in argv if a.startswith("--runtime-env-json=")).split("=", 1)[1])["env_vars"]
    args = openrlhf_args(argv[argv.index("openrlhf.cli.train_ppo_ray") + 1 :])
    assert args.train.agent_func_path == PAIR_AGENT_PATH
    assert args.rollout.n_samples_per_prompt == 2 * int(env["PATARM_ROLLOUTS_PER_SIDE"])
    assert args.algo.advantage.estimator == "group_norm"
    assert args.data.label_key == "label"
