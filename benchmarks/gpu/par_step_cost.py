"""PAR's cost per GRPO step on a GPU: PARGRPOTrainer + PARReward against GRPOTrainer + a plain scalar reward.

    python benchmarks/gpu/par_step_cost.py            # Qwen3-1.7B shape, random weights, on the GPU
    python benchmarks/gpu/par_step_cost.py --tiny     # a tiny shape on the CPU (CI keeps it running)

Both runs train the same random-weight judge (Qwen3-1.7B's shape: 28 layers, hidden 2048, 16
heads of 128, vocabulary 151,936; bf16 on the GPU) on the same synthetic preference pairs, with
TRL's own transformers generation (no vLLM), for ``--steps`` steps. The PAR run uses the pair-
preserving sampler and PAR + format reward; the baseline uses TRL's sampler and the parsed score
as a plain reward. It prints the mean step time of each (first step excluded), their ratio, the
peak memory of each, and checks pair integrity: every PAR reward call held whole pairs.
Random weights write no judgments, so both rewards are mostly the malformed value: this measures
the cost of the machinery (sampling, pairing, reward), not learning.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

QWEN3_1_7B = {
    "hidden_size": 2048,
    "intermediate_size": 6144,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "vocab_size": 151936,
}
TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "vocab_size": 512,
}
QUESTIONS = ["What is 17 * 24?", "Write a haiku about the sea.", "def f(x): return x + 1. What is f(2)?"]


def save_judge(path: Path, shape: dict[str, int], dtype: str) -> Path:
    """A random-weight Qwen3 of ``shape`` with the tiny tokenizer (ids past its vocabulary decode to nothing)."""
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from patarm.testing import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()
    config = Qwen3Config(
        **shape,
        max_position_embeddings=4096,
        tie_word_embeddings=shape["vocab_size"] == TINY["vocab_size"],
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(0)
    model = Qwen3ForCausalLM(config).to(getattr(torch, dtype))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def rows(pairs: int) -> list[dict[str, Any]]:
    from patarm.adapters.trl import grpo_rows
    from patarm.prompts import JudgePrompts
    from patarm.types import PreferencePair

    raw = [
        {"pair_id": f"p{i}", "prompt": QUESTIONS[i % 3], "chosen": f"answer {i}", "rejected": f"wrong {i}"}
        for i in range(pairs)
    ]
    return grpo_rows([PreferencePair.from_row(r, i) for i, r in enumerate(raw)], JudgePrompts(tiers="primary"))


class StepTimer(TrainerCallback):  # type: ignore[misc]
    """Records each optimizer step's wall time (the GPU synchronised at both ends)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._start = 0.0

    def on_step_begin(self, *args: Any, **kwargs: Any) -> None:
        _sync()
        self._start = time.perf_counter()

    def on_step_end(self, *args: Any, **kwargs: Any) -> None:
        _sync()
        self.times.append(time.perf_counter() - self._start)


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def peak_memory_gib(gpu: bool) -> float:
    """Peak GPU memory allocated since the last reset, or this process's peak resident memory."""
    import torch

    if gpu:
        return float(torch.cuda.max_memory_allocated()) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def scalar_reward(completions: list[Any], **_: Any) -> list[float]:
    """The baseline: the parsed score as the reward, -1 when malformed (no pairing)."""
    from patarm.adapters.trl import completion_text
    from patarm.parsing import parse_judgment

    scores = [parse_judgment(completion_text(c)).score for c in completions]
    return [-1.0 if s is None else float(s) for s in scores]


def run(par: bool, model: Path, data: list[dict[str, Any]], args: argparse.Namespace, out: Path) -> dict[str, Any]:
    import datasets
    import torch
    from trl import GRPOConfig, GRPOTrainer

    from patarm.adapters.trl import PARGRPOTrainer, PARReward

    reward = PARReward(record=True)
    timer = StepTimer()
    gpu = torch.cuda.is_available()
    if gpu:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    config = GRPOConfig(
        output_dir=str(out),
        max_steps=args.steps,
        per_device_train_batch_size=2 * 2 * args.generations,  # 2 pairs, both sides, all generations
        num_generations=args.generations,
        max_completion_length=args.max_completion_length,
        learning_rate=1e-6,
        beta=0.0,
        bf16=gpu,
        use_cpu=not gpu,
        gradient_checkpointing=gpu,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        disable_tqdm=True,
        seed=0,
    )
    trainer_cls = PARGRPOTrainer if par else GRPOTrainer
    trainer = trainer_cls(
        model=str(model),
        reward_funcs=reward if par else scalar_reward,
        args=config,
        train_dataset=datasets.Dataset.from_list(data),
        callbacks=[timer],
    )
    trainer.train()
    whole = True
    for call in reward.calls:
        counts = Counter(zip(call.pair_ids, call.roles, strict=True))
        whole &= all(counts[(p, r)] == args.generations for p in set(call.pair_ids) for r in ("chosen", "rejected"))
    peak = (
        torch.cuda.max_memory_allocated() / 2**30 if gpu else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    )
    steady = timer.times[1:] or timer.times
    return {
        "step_s": sum(steady) / len(steady),
        "steps": len(timer.times),
        "peak_gib": peak,
        "reward_calls": len(reward.calls),
        "whole_pairs": whole if par else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a tiny shape on the CPU (a smoke run)")
    parser.add_argument("--steps", type=int, default=None, help="optimizer steps per run (default 6; tiny 3)")
    parser.add_argument("--generations", type=int, default=8, help="rollouts per judge prompt (default 8; tiny 2)")
    parser.add_argument("--max-completion-length", type=int, default=256, help="default 256; tiny 8")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.tiny:
        args.generations, args.max_completion_length = 2, 8
    args.steps = args.steps or (3 if args.tiny else 6)
    import torch

    if not args.tiny and not torch.cuda.is_available():
        print("no CUDA GPU here: use --tiny for the CPU smoke run", file=sys.stderr)
        return 2
    shape = TINY if args.tiny else QWEN3_1_7B
    with tempfile.TemporaryDirectory(prefix="patarm-gpu-check-") as scratch:
        model = save_judge(Path(scratch) / "judge", shape, "float32" if args.tiny else "bfloat16")
        data = rows(2 * args.steps)
        plain = run(False, model, data, args, Path(scratch) / "plain")
        par = run(True, model, data, args, Path(scratch) / "par")
    where = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(f"{'tiny' if args.tiny else 'Qwen3-1.7B'} shape, random weights, {where}; {args.steps} steps, ", end="")
    print(f"{args.generations} generations x 4 prompts per step, {args.max_completion_length} new tokens at most")
    for name, result in (("plain scalar reward", plain), ("PAR", par)):
        print(f"{name:20s} {result['step_s']:8.3f} s/step   peak memory {result['peak_gib']:6.2f} GiB")
    print(f"PAR / plain step time: {par['step_s'] / plain['step_s']:.3f}x")
    print(f"pair integrity: {par['reward_calls']} reward calls, whole pairs in every one: {par['whole_pairs']}")
    if args.json:
        args.json.write_text(json.dumps({"plain": plain, "par": par, "device": where}, indent=2))
    return 0 if par["whole_pairs"] and par["reward_calls"] == args.steps else 1


if __name__ == "__main__":
    raise SystemExit(main())
