"""TransformersBackend: batched generation against one prompt at a time, same run, on the tiny model (CPU).

    python benchmarks/bench_generation.py [--prompts 64] [--max-new-tokens 32] [--batch-size 16]
                                          [--samples 1 4] [--threads 1] [--repeats 1]

A judge-like workload: chat prompts (a grading instruction, a question and a response of
mixed length) sampled at temperature 0.7. For each ``n`` in ``--samples`` the same prompts go
through ``batch_size=--batch-size`` and ``batch_size=1``; the script prints seconds, generated
tokens per second and the speed-up (the target is >= 3x). The tiny model has random weights,
so it measures the backend's batching and overheads, not a real model's arithmetic.
"""

from __future__ import annotations

import argparse
import random
import time

import torch

from patarm.backends import ChatInput, SamplingParams, TransformersBackend
from patarm.testing.tiny import tiny_model_and_tokenizer

_INSTRUCTION = (
    "Evaluate the response to the prompt. Write your criteria, your reasoning and a score from 1 to 10 "
    "in <answer></answer>."
)
_QUESTIONS = ["What is 17 * 24?", "Write a poem about the sea.", "def f(x): return x + 1", "Is this request safe?"]
_WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "the",
    "lazy",
    "dog",
    "correctness",
    "logic",
    "safety",
    "answer",
    "because",
]


def judge_prompts(count: int, seed: int = 0) -> list[ChatInput]:
    """``count`` judge prompts whose responses run from a few words to a few hundred."""
    rng = random.Random(seed)
    prompts: list[ChatInput] = []
    for i in range(count):
        response = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 300)))
        question = _QUESTIONS[i % len(_QUESTIONS)]
        prompts.append(
            [
                {"role": "system", "content": _INSTRUCTION},
                {"role": "user", "content": f"<prompt>{question}</prompt>\n<response>{response}</response>"},
            ]
        )
    return prompts


def timed(
    backend: TransformersBackend, prompts: list[ChatInput], params: SamplingParams, repeats: int
) -> tuple[float, int]:
    """Best wall time over ``repeats`` runs, and the tokens generated in one run."""
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        out = backend.generate(prompts, params)
        best = min(best, time.perf_counter() - start)
        tokens = sum(c.num_tokens or 0 for samples in out for c in samples)
    return best, tokens


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=64, help="number of chat prompts (default 64)")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="tokens generated per sample (default 32)")
    parser.add_argument("--batch-size", type=int, default=16, help="prompts per generate call, batched (default 16)")
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 4], help="values of n to run (default 1 4)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: the tiny model's matmuls take microseconds, and with more threads "
        "the timings swing with whatever else the CPU runs; 0 keeps torch's own choice)",
    )
    parser.add_argument("--repeats", type=int, default=1, help="runs per setting; the best time counts (default 1)")
    args = parser.parse_args(argv)

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    model, tokenizer = tiny_model_and_tokenizer(seed=0)
    prompts = judge_prompts(args.prompts)
    batched = TransformersBackend(model, tokenizer, batch_size=args.batch_size)
    single = TransformersBackend(model, tokenizer, batch_size=1)
    lengths = [len(ids) for ids in batched._encode(prompts)]
    print(
        f"{args.prompts} chat prompts of {min(lengths)}-{max(lengths)} tokens, max_new_tokens={args.max_new_tokens}, "
        f"temperature 0.7, torch threads {torch.get_num_threads()}"
    )
    batched.generate(prompts[:2], SamplingParams(max_new_tokens=2))  # warm-up

    for n in args.samples:
        params = SamplingParams(n=n, temperature=0.7, max_new_tokens=args.max_new_tokens, seed=0)
        batch_s, batch_tokens = timed(batched, prompts, params, args.repeats)
        single_s, single_tokens = timed(single, prompts, params, args.repeats)
        print(
            f"n={n}: batch_size={args.batch_size}: {batch_s:.2f} s ({batch_tokens / batch_s:,.0f} tok/s) | "
            f"one at a time: {single_s:.2f} s ({single_tokens / single_s:,.0f} tok/s) | "
            f"speed-up {single_s / batch_s:.1f}x"
        )


if __name__ == "__main__":
    main()
