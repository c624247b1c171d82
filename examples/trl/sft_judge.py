"""The SFT (format warm-up) stage of a PaTaRM judge in TRL: fine-tune on a teacher's pointwise
judgments before GRPO with PAR (examples/trl/train_judge.py). A recipe: it reads top to bottom,
every setting is in the config file.

    # the data: a teacher judge scores both sides of each pair, pairs with a clear margin kept
    patarm data build-sft -i pairs.jsonl -o sft.jsonl --format trl --margin 2 \\
        --backend openai --base-url http://teacher:8000 --model Qwen/Qwen2.5-72B-Instruct
    # the paper's 8B SFT: 8 A100 80GB, one node
    accelerate launch --num_processes 8 --use_deepspeed --zero_stage 3 \\
        examples/trl/sft_judge.py --config examples/trl/sft_qwen3_8b.yaml --data sft.jsonl
    # then RL from the SFT checkpoint
    ... examples/trl/train_judge.py --model patarm-judge-qwen3-8b-sft ...

    # a smoke run on a CPU: tiny random model, a few rows built on the spot (or --data), 2 steps
    python examples/trl/sft_judge.py --tiny

Steps:
0. environment: ``patarm doctor --stack trl`` (GPU checks skipped with ``--tiny``);
1. config: the YAML file (``model``, ``data``, ``sft`` = any ``SFTConfig`` field); ``--tiny``
   merges its ``tiny`` section's overrides and builds a model (and, without ``--data``, rows);
2. data: rows ``{prompt, completion, ...}`` of ``patarm data build-sft --format trl``; every
   target is parsed back first (a malformed one is an error naming the row);
3. train: TRL's ``SFTTrainer`` through :func:`patarm.adapters.trl.format_warmup` (loss on the
   completion only), then save model and tokenizer for the RL stage.
Needs ``pip install -e '.[trl]'`` in a patarm checkout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from recipe_cli import check_environment, override_config, recipe_parser

from patarm.data import read_rows
from patarm.parsing import parse_judgment

HERE = Path(__file__).parent

# --tiny without --data: pointwise records (a judged response and the teacher's score).
TINY_RECORDS = [
    {"prompt": "What is 17 * 24?", "response": "408", "score": 9, "rationale": "Correct."},
    {"prompt": "What is 17 * 24?", "response": "418", "score": 2, "rationale": "Off by ten."},
    {"prompt": "Name a prime above 10.", "response": "11", "score": 9, "rationale": "Prime."},
    {"prompt": "Name a prime above 10.", "response": "12", "score": 1, "rationale": "Not prime."},
]


def load_config(path: Path, tiny: bool, scratch: Path) -> dict[str, Any]:
    """The config file, with the ``tiny`` overrides and a tiny model for ``--tiny``."""
    config: dict[str, Any] = yaml.safe_load(path.read_text())
    if tiny:
        from patarm.testing import save_tiny_model

        for section, overrides in config["tiny"].items():
            config[section].update(overrides)
        config["model"] = str(save_tiny_model(scratch / "tiny-model"))
        config["data"] = None
    if config["sft"].get("output_dir") is None:
        config["sft"]["output_dir"] = str(scratch / "run")
    return config


def load_rows(path: str) -> list[dict[str, Any]]:
    """SFT rows from a file; a row without a prompt, or whose completion is not a well-formed
    judgment, is an error naming the file and row (SFT on it would teach a broken format)."""
    rows = []
    for index, row in enumerate(read_rows(path)):
        completion = row.get("completion")
        if "prompt" not in row or completion is None:
            raise SystemExit(
                f"{path}: row {index}: expected 'prompt' and 'completion' (patarm data build-sft --format trl)"
            )
        text = completion[-1]["content"] if isinstance(completion, list) and completion else completion
        if not isinstance(text, str) or parse_judgment(text, (1, 10)).score is None:
            raise SystemExit(f"{path}: row {index}: field 'completion' is not a well-formed judgment")
        rows.append(dict(row))
    if not rows:
        raise SystemExit(f"{path}: no rows")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = recipe_parser(
        __doc__,
        HERE / "sft_qwen3_8b.yaml",
        data="SFT rows file (overrides the config's data)",
        model="model to fine-tune: path or hub id (overrides the config's model)",
        output="output folder (overrides sft.output_dir)",
        tiny="tiny local model on the CPU, 2 steps",
    )
    args = parser.parse_args(argv)

    # 0. the environment: TRL 1.x, and a CUDA device unless --tiny (each problem printed with its fix)
    check_environment(args.tiny)

    with tempfile.TemporaryDirectory(prefix="patarm-sft-judge-") as scratch:
        # 1. config
        config = load_config(args.config, args.tiny, Path(scratch))
        override_config(config, args, "sft")

        # 2. data
        from patarm.adapters.trl import format_warmup, sft_rows

        rows = load_rows(config["data"]) if config["data"] else sft_rows(TINY_RECORDS)
        print(f"{len(rows)} SFT rows from {config['data'] or 'the built-in tiny records'}")

        # 3. train (imports TRL), save model and tokenizer
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(config["model"])
        sft = dict(config["sft"])
        output_dir = sft.pop("output_dir")
        trainer = format_warmup(config["model"], tokenizer, rows, output_dir=output_dir, **sft)
        trainer.save_model(output_dir)
        tokenizer.save_pretrained(output_dir)
        loss = next((e["loss"] for e in reversed(trainer.state.log_history) if "loss" in e), float("nan"))
        print(f"done: {trainer.state.global_step} steps, last loss {loss:.3f}; model in {output_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
