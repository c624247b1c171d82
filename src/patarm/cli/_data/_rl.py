"""``patarm data build-rl``: one judge-prompt row per (pair, side), with the reject-sampling
filter; correctness read from a column or sampled here (cached, resumable)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from patarm.cli._common import add_progress_arg, add_seed_arg, backend_from_args, print_replicas, template_dir
from patarm.cli._data._shared import cache_settings, labeler, load_lines, print_lines, prompts, shared_args, source
from patarm.cli._numbers import finite_float
from patarm.errors import ConfigError

__all__ = ["add_parser"]


def _sampling(args: argparse.Namespace, backend: Any, rubrics: Any) -> Any:
    """The rollout sampler the options describe (its own labeler, so that the printed domain
    counts are not doubled)."""
    from patarm.data import RolloutSampling
    from patarm.judges import JudgeConfig, PointwiseJudge

    config = JudgeConfig(
        scale=tuple(args.scale),
        tiers=args.tiers,
        samples=args.rollouts,
        temperature=args.rollout_temperature,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
    )
    cache = Path(args.rollout_cache) if args.rollout_cache else Path(args.output).with_suffix(".rollouts.jsonl")
    return RolloutSampling(
        PointwiseJudge(backend, config, rubrics=rubrics, template_dir=template_dir(args)),
        labeler(args, rubrics, backend),
        cache,
        cache_settings(args, config),
        chunk_pairs=max(1, args.chunk_pairs),
    )


def run(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import LoadReport, RejectSampling, RLReport, build_rl
    from patarm.rubrics import RubricSet

    rubrics = RubricSet(args.rubric_dir or ())
    report, rl = LoadReport(), RLReport()
    low, high = args.keep_range
    if not 0.0 <= low <= high <= 1.0:
        raise ConfigError(f"--keep-range {low} {high}: expected 0 <= LOW <= HIGH <= 1")
    if args.rollouts is not None and args.correct_column:
        raise ConfigError("give either --correct-column (correctness already in the data) or --rollouts (sample it)")
    if args.rollouts is not None and args.rollouts < 1:
        raise ConfigError(f"--rollouts must be >= 1, got {args.rollouts}")
    column = args.correct_column or "correct_fraction"
    keep = RejectSampling(low, high, column) if (args.correct_column or args.rollouts) else None
    # one model for the sampler and an LLM router; none when neither needs one
    backend = backend_from_args(args) if args.rollouts is not None or args.router == "llm" else None
    label = labeler(args, rubrics, backend)
    sampling = _sampling(args, backend, rubrics) if args.rollouts is not None else None
    build_rl(
        source(args),
        args.output,
        prompts=prompts(args, rubrics),
        labeler=label,
        report=report,
        rl_report=rl,
        reject_sampling=keep,
        sampling=sampling,
        conversational=not args.text_prompts,
        progress=lambda pairs: tqdm(pairs, desc="pairs", unit="pair", disable=not args.progress),
    )
    print_lines(load_lines(args, report))
    if sampling is not None:
        if sampling.torn_cache_lines:
            print(f"note: the last record of {sampling.cache} was cut short (an interrupted write): dropped, redone")
        print(f"rollouts sampled: {sampling.sampled_now} pair(s) now, {sampling.from_cache} from {sampling.cache}")
    if keep is not None:
        print(f"reject sampling on {keep.column!r}: keep {low:g} <= correct fraction <= {high:g}")
    print(f"pairs kept: {rl.kept}, dropped (correct fraction out of range): {rl.dropped.get('out_of_range', 0)}")
    print_lines([f"domain {d} ({s}): {n}" for (d, s), n in sorted(label.counts.items())])
    print(f"rows written: {rl.rows}")
    print_replicas(backend)
    print(f"output: {args.output}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rl = sub.add_parser(
        "build-rl",
        help="RL rows: one judge prompt per (pair, side), with the reject-sampling filter",
        description=(
            "Write one row per side {prompt, pair_id, role, domain, domain_source}, chosen then rejected, as "
            "Parquet or JSONL. With --correct-column, keep only pairs whose share of correct sampler rollouts "
            "(a fraction or a list of booleans in that column) lies in --keep-range; or, with --rollouts N, sample "
            "that correctness here: the sampler model (the --backend options) judges both sides N times, and a "
            "rollout is correct when chosen scores strictly above rejected (cached to --rollout-cache, resumable; "
            "a cache made with other sampler settings is refused, naming them)."
        ),
    )
    shared_args(rl, ".parquet or .jsonl", with_prompts=True, reference=True)
    rl.add_argument("--correct-column", help="per-pair correctness of sampler rollouts (enables the filter)")
    rl.add_argument(
        "--keep-range",
        type=finite_float(0, 1),
        nargs=2,
        default=(1 / 8, 6 / 8),
        metavar=("LOW", "HIGH"),
        help="default 1/8 6/8",
    )
    rl.add_argument("--text-prompts", action="store_true", help="prompts as plain text instead of chat messages")
    add_progress_arg(rl)
    rl.add_argument("--rollouts", type=int, help="sample N judge rollouts per pair with the --backend model")
    rl.add_argument(
        "--rollout-temperature", type=finite_float(0), default=1.0, help="sampling temperature (default 1.0)"
    )
    rl.add_argument("--max-new-tokens", type=int, default=1024, help="per rollout (default 1024)")
    add_seed_arg(rl, "sampling seed")
    rl.add_argument("--rollout-cache", help="JSONL of sampled correctness (default: OUTPUT with .rollouts.jsonl)")
    rl.add_argument("--chunk-pairs", type=int, default=16, help="pairs sampled and cached per step (default 16)")
    rl.set_defaults(func=run)
