"""A real two-process GRPO run with PAR, started by ``torchrun --nproc_per_node 2`` from
test_grpo_run.py: each rank trains on the CPU (gloo) and writes what its reward calls saw.

    torchrun --standalone --nproc_per_node 2 grpo_two_procs.py MODEL_DIR OUT_DIR [--steps 2]

Writes ``OUT_DIR/rank{R}.json``: ``{"rank", "world_size", "calls": [{pair_ids, roles, scores,
rewards}, ...]}``. Importing this file does nothing (pytest collects it for doctests).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path

PAIRS = 8
PAIRS_PER_PROCESS = 2
GENERATIONS = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--steps", type=int, default=2)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    import datasets
    from transformers import AutoTokenizer
    from trl import GRPOConfig

    from patarm.adapters.trl import PARGRPOTrainer, PARReward, grpo_rows
    from patarm.demo._run import _judge_prompts
    from patarm.demo._task import DemoTask

    rows = grpo_rows(DemoTask().pairs(PAIRS, seed=0), _judge_prompts())
    config = GRPOConfig(
        output_dir=str(Path(args.out_dir) / "trainer"),
        max_steps=args.steps,
        per_device_train_batch_size=PAIRS_PER_PROCESS * 2 * GENERATIONS,
        num_generations=GENERATIONS,
        max_completion_length=6,
        beta=0.05,
        learning_rate=1e-4,
        use_cpu=True,
        bf16=False,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        disable_tqdm=True,
        seed=0,
        dataloader_num_workers=0,
    )
    reward = PARReward(record=True)
    trainer = PARGRPOTrainer(
        model=args.model_dir,
        reward_funcs=reward,
        args=config,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=AutoTokenizer.from_pretrained(args.model_dir),
    )
    trainer.train()
    rank = trainer.accelerator.process_index
    report = {
        "rank": rank,
        "world_size": trainer.accelerator.num_processes,
        "local_rank_env": os.environ.get("LOCAL_RANK"),
        "global_step": trainer.state.global_step,
        "calls": [asdict(call) for call in reward.calls],
    }
    Path(args.out_dir, f"rank{rank}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
