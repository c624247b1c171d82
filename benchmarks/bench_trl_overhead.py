"""What PAR costs per GRPO step in TRL: PARGRPOTrainer + PARReward + PairRepeatSampler against
TRL's own GRPOTrainer (RepeatSampler) with a trivial per-completion reward, same run, on the CPU.

    python benchmarks/bench_trl_overhead.py [--rounds 5] [--steps 8] [--pairs 8] [--generations 8]
                                            [--max-completion-length 6] [--warmup-steps 30] [--threads 1]

Both trainers get the same tiny judge (the demo's Qwen3, format-warmed so most rollouts
parse), the same rows, the same GRPOConfig. Rounds alternate the two (A, B, A, B, ...), each
round a fresh trainer running ``--steps`` steps; the first step of each round is dropped
(warm-up). A callback times every step (generation, reward, loss, backward, optimiser); a
wrapper times every reward call. Printed: median seconds per step for each, the ratio
(target: under 5% extra), and the median time inside the reward function.

The learning rate defaults to 0 so that both policies stay the same model: otherwise the two
rewards would train them apart, completion lengths would drift, and the step times would
measure that drift rather than the reward and sampler. The optimiser step still runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def build_judge(directory: Path, warmup_steps: int) -> None:
    """The demo judge, format-warmed on random scores, saved under ``directory``."""
    from patarm.adapters.trl import format_warmup, sft_rows
    from patarm.demo._model import demo_model_and_tokenizer
    from patarm.demo._run import _judge_prompts, _random_score_records
    from patarm.demo._task import DemoTask

    model, tokenizer = demo_model_and_tokenizer(seed=0)
    if warmup_steps:
        records = _random_score_records(DemoTask().pairs(128, seed=1), seed=0)
        format_warmup(
            model,
            tokenizer,
            sft_rows(records, _judge_prompts()),
            max_steps=warmup_steps,
            per_device_train_batch_size=16,
            learning_rate=3e-3,
            lr_scheduler_type="constant",
            disable_tqdm=True,
        )
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


class Timed:
    """A reward function wrapper that records the seconds of each call."""

    def __init__(self, func: Any, name: str) -> None:
        self.func = func
        self.__name__ = name
        self.seconds: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> list[float]:
        start = time.perf_counter()
        out: list[float] = self.func(*args, **kwargs)
        self.seconds.append(time.perf_counter() - start)
        return out


def length_reward(completions: list[Any], **_: Any) -> list[float]:
    """A trivial per-completion reward: shorter is better."""
    from patarm.adapters.trl import completion_text

    return [-len(completion_text(c)) / 100 for c in completions]


def run_round(
    kind: str, judge: Path, rows: list[dict[str, Any]], args: argparse.Namespace, out: Path
) -> tuple[list[float], list[float]]:
    """One fresh trainer, ``args.steps`` steps: (seconds per step after the first, seconds per reward call)."""
    import datasets
    from transformers import AutoTokenizer, PrinterCallback, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from patarm.adapters.trl import PARGRPOTrainer, PARReward

    steps: list[float] = []

    class StepTimer(TrainerCallback):  # type: ignore[misc]
        def on_step_begin(self, *a: Any, **k: Any) -> None:
            self.start = time.perf_counter()

        def on_step_end(self, *a: Any, **k: Any) -> None:
            steps.append(time.perf_counter() - self.start)

    config = GRPOConfig(
        output_dir=str(out),
        max_steps=args.steps,
        per_device_train_batch_size=args.pairs * 2 * args.generations,
        num_generations=args.generations,
        max_completion_length=args.max_completion_length,
        learning_rate=args.learning_rate,
        beta=0.05,
        use_cpu=True,
        bf16=False,
        report_to=[],
        save_strategy="no",
        logging_steps=10**6,
        disable_tqdm=True,
        seed=0,
        dataloader_num_workers=0,
    )
    reward = Timed(PARReward() if kind == "par" else length_reward, "PARReward" if kind == "par" else "length")
    trainer_class = PARGRPOTrainer if kind == "par" else GRPOTrainer
    trainer = trainer_class(
        model=str(judge),
        reward_funcs=reward,
        args=config,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=AutoTokenizer.from_pretrained(judge),
        callbacks=[StepTimer()],
    )
    trainer.remove_callback(PrinterCallback)  # no log lines between rounds
    trainer.train()
    return steps[1:], reward.seconds[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="rounds per trainer, alternating (default 5)")
    parser.add_argument("--steps", type=int, default=8, help="GRPO steps per round; the first is dropped (default 8)")
    parser.add_argument("--pairs", type=int, default=8, help="pairs per step (default 8)")
    parser.add_argument("--generations", type=int, default=8, help="rollouts per judge prompt (default 8)")
    parser.add_argument("--max-completion-length", type=int, default=6, help="tokens per rollout (default 6)")
    parser.add_argument("--learning-rate", type=float, default=0.0, help="default 0: both policies stay the same")
    parser.add_argument("--warmup-steps", type=int, default=30, help="format warm-up SFT steps (default 30)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from patarm.adapters.trl import grpo_rows
    from patarm.demo._run import _judge_prompts
    from patarm.demo._task import DemoTask

    results: dict[str, tuple[list[float], list[float]]] = {"par": ([], []), "trl": ([], [])}
    with tempfile.TemporaryDirectory(prefix="patarm-bench-trl-") as scratch:
        judge = Path(scratch) / "judge"
        build_judge(judge, args.warmup_steps)
        pairs_needed = args.pairs * args.steps
        rows = grpo_rows(DemoTask().pairs(pairs_needed, seed=0), _judge_prompts())
        for round_index in range(args.rounds):
            for kind in ("par", "trl") if round_index % 2 == 0 else ("trl", "par"):
                steps, calls = run_round(kind, judge, rows, args, Path(scratch) / f"{kind}-{round_index}")
                results[kind][0].extend(steps)
                results[kind][1].extend(calls)

    par_step, trl_step = (statistics.median(results[k][0]) for k in ("par", "trl"))
    par_call, trl_call = (statistics.median(results[k][1]) for k in ("par", "trl"))
    rollouts = args.pairs * 2 * args.generations
    print(
        f"tiny Qwen3 judge on the CPU, {args.threads} thread(s): {args.pairs} pairs x 2 sides x "
        f"{args.generations} rollouts = {rollouts} completions of <= {args.max_completion_length} tokens per step; "
        f"{args.rounds} alternating rounds x {args.steps - 1} timed steps"
    )
    print(f"{'':<48}{'s/step':>10}{'reward call ms':>16}")
    print(f"{'PARGRPOTrainer + PARReward (PairRepeatSampler)':<48}{par_step:>10.4f}{par_call * 1e3:>16.3f}")
    print(f"{'GRPOTrainer + length reward (RepeatSampler)':<48}{trl_step:>10.4f}{trl_call * 1e3:>16.3f}")
    print(f"PAR step time / plain step time: {par_step / trl_step:.3f} ({(par_step / trl_step - 1) * 100:+.1f}%)")
    print(f"reward call share of a PAR step: {par_call / par_step * 100:.2f}%")


if __name__ == "__main__":
    main()
