"""Policy GRPO with a PaTaRM judge as the reward (TRL), on IFEval-style instruction prompts.

The judge reads each completion on its own (pointwise: O(N) for N completions), writes criteria
and a rationale under the ``instruction_following`` rubric, and ends with a score; that score is
the reward. A completion whose judgment does not parse gets no reward (None: TRL leaves it out)
and is counted in ``judge/malformed_rate``.

Runs:

    # CPU smoke run (about a minute): tiny random policy + tiny random judge, 2 GRPO steps
    python examples/policy/train_policy_trl.py --tiny

    # Real run, judge served elsewhere (recommended: the judge keeps its own GPU and batches
    # the concurrent reward calls):  patarm serve --backend vllm --model PATH/TO/PaTaRM-8B --port 8000
    python examples/policy/train_policy_trl.py --policy Qwen/Qwen2.5-1.5B-Instruct \\
        --judge-url http://JUDGE_HOST:8000 --dataset google/IFEval

    # Real run, judge in this process (a local transformers model)
    python examples/policy/train_policy_trl.py --policy Qwen/Qwen2.5-0.5B-Instruct --judge PATH/TO/JUDGE

Hardware expected for a real run: a 0.5B-1.5B policy trains on one 24-80 GB GPU (bf16); an 8B
judge needs its own GPU (~20 GB in bf16 with vLLM), so two GPUs in all, or one 80 GB GPU with a
small policy and the judge in-process. ``--tiny`` needs only a CPU.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

# A few IFEval-style prompts (prompt + the verifiable instructions it carries) for --tiny and dry runs.
SYNTHETIC = [
    ("Write a haiku about autumn. Use only lowercase letters.", ["change_case:english_lowercase"]),
    ("List three uses of copper in exactly 3 bullet points.", ["detectable_format:number_bullet_lists"]),
    ("Explain photosynthesis in fewer than 40 words.", ["length_constraints:number_words"]),
    ("Describe the moon without using any commas.", ["punctuation:no_comma"]),
    ("Give your answer in JSON format: name two primary colours.", ["detectable_format:json_format"]),
    ("Write a two-sentence story. End your response with the word 'Done'.", ["startend:end_checker"]),
    ("Answer in all capital letters: what is the capital of France?", ["change_case:english_capital"]),
    ("Write a limerick about a cat, wrapped in double quotation marks.", ["startend:quotation"]),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="CPU smoke run: tiny random policy and judge, 2 steps")
    parser.add_argument("--policy", default="Qwen/Qwen2.5-0.5B-Instruct", help="policy model (path or hub id)")
    parser.add_argument("--judge", help="judge model for an in-process transformers judge (path or hub id)")
    parser.add_argument("--judge-url", help="address of a running `patarm serve` (instead of --judge)")
    parser.add_argument("--dataset", help="IFEval-style data: a hub id (google/IFEval) or a JSONL file")
    parser.add_argument("--output", help="output folder (default: patarm-policy-grpo; a temporary one with --tiny)")
    parser.add_argument("--steps", type=int, help="GRPO steps (default: 2 with --tiny, else 500)")
    parser.add_argument("--generations", type=int, help="completions per prompt (default 4 tiny, 8 real)")
    parser.add_argument("--max-completion-length", type=int, help="tokens per completion (default 16 tiny, 512)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def instruction_rows(dataset: str | None) -> list[dict[str, Any]]:
    """Conversational prompts plus the ``instruction_id_list`` column (it routes the judge to its
    ``instruction_following`` rubric; TRL passes extra columns to the reward function)."""
    if dataset is None:
        pairs = SYNTHETIC
    elif dataset.endswith(".jsonl"):
        with open(dataset, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        pairs = [(r["prompt"], list(r.get("instruction_id_list") or [])) for r in rows]
    else:
        import datasets

        loaded = datasets.load_dataset(dataset, split="train")
        pairs = [(r["prompt"], list(r["instruction_id_list"])) for r in loaded]
    return [{"prompt": [{"role": "user", "content": p}], "instruction_id_list": ids} for p, ids in pairs]


def judge_reward(args: argparse.Namespace) -> Any:
    """The reward function: the same pointwise judge core, in-process or through `patarm serve`."""
    from patarm.adapters.trl import JudgeReward
    from patarm.judges import JudgeConfig, PointwiseJudge

    if args.judge_url:
        return JudgeReward(url=args.judge_url)
    from patarm.backends import TransformersBackend

    if args.tiny:
        from patarm.testing import tiny_model_and_tokenizer

        model, tokenizer = tiny_model_and_tokenizer(seed=0)
        backend = TransformersBackend(model, tokenizer, batch_size=16)
        config = JudgeConfig(max_new_tokens=16, seed=args.seed)
    elif args.judge:
        backend = TransformersBackend.from_pretrained(args.judge, dtype="bfloat16", batch_size=32)
        config = JudgeConfig(max_new_tokens=1024, temperature=0.7, seed=args.seed)
    else:
        raise SystemExit("give --judge MODEL or --judge-url URL (or --tiny)")
    return JudgeReward(judge=PointwiseJudge(backend, config))


def main() -> None:
    args = parse_args()
    from patarm.doctor import run_doctor

    doctor = run_doctor(["trl"], gpu=not args.tiny)  # TRL 1.x, and CUDA for a real run
    if not doctor.ok:
        raise SystemExit(doctor.render())
    import datasets
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    warnings.filterwarnings("ignore", category=FutureWarning)
    out = Path(args.output or (tempfile.mkdtemp(prefix="patarm-policy-") if args.tiny else "patarm-policy-grpo"))
    rows = instruction_rows(args.dataset)
    reward = judge_reward(args)

    # 1. The policy: a model path TRL loads (it also loads the reference model from it).
    if args.tiny:
        from patarm.testing import save_tiny_model

        policy = str(save_tiny_model(out / "tiny-policy", seed=1))
    else:
        policy = args.policy

    # 2. GRPO settings: tiny CPU numbers, or a single-GPU starting point.
    tiny = args.tiny
    generations = args.generations or (4 if tiny else 8)
    config = GRPOConfig(
        output_dir=str(out),
        max_steps=args.steps or (2 if tiny else 500),
        per_device_train_batch_size=generations * (1 if tiny else 2),
        num_generations=generations,
        max_completion_length=args.max_completion_length or (16 if tiny else 512),
        learning_rate=1e-4 if tiny else 1e-6,
        beta=0.04,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        seed=args.seed,
        use_cpu=tiny,
        bf16=not tiny,
        disable_tqdm=tiny,
        dataloader_num_workers=0,
    )

    # 3. Train, keeping every logged figure (reward, judge/malformed_rate, ...).
    history: list[dict[str, float]] = []

    class Record(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs:
                history.append({k: float(v) for k, v in logs.items() if isinstance(v, int | float)})

    trainer = GRPOTrainer(
        model=policy,
        reward_funcs=reward,
        args=config,
        train_dataset=datasets.Dataset.from_list(rows),
        callbacks=[Record()],
    )
    trainer.train()

    # 4. Report: the judge's malformed rate says how often the reward was left out.
    logged = [h for h in history if "judge/malformed_rate" in h]
    for step, entry in enumerate(logged, start=1):
        shown = {k: round(entry[k], 4) for k in ("reward", "judge/malformed_rate", "judge/mean_score") if k in entry}
        print(f"step {step}: {shown}")
    if not tiny:
        trainer.save_model(str(out / "final"))
    print(f"GRPO steps done: {trainer.state.global_step}; output: {out}")
    if tiny:
        print("(--tiny: the judge is a random model, so its judgments are malformed and their rewards left out)")


if __name__ == "__main__":
    main()
