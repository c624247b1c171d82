"""``patarm data build-verl`` and ``patarm data build-openrlhf``: PAR training data for those
stacks, two judge-prompt rows (or one pair row) per pair."""

from __future__ import annotations

import argparse
from typing import Any

from patarm.cli._data._shared import labeler, load_lines, print_lines, prompts, shared_args, source
from patarm.errors import ConfigError

__all__ = ["add_stack_parsers"]


def _stack_pairs(args: argparse.Namespace) -> tuple[list[Any], Any, Any]:
    """Pairs with their domains labelled, the judge prompts, and the load report."""
    from patarm.data import LoadReport
    from patarm.rubrics import RubricSet
    from patarm.store import check_distinct

    check_distinct({"input": args.input}, {"output": args.output})
    report = LoadReport()
    rubrics = RubricSet(args.rubric_dir or ())
    label = labeler(args, rubrics)
    pairs = [label.apply(item.pair)[0] for item in source(args).iter(report)]
    return pairs, prompts(args, rubrics), report


def run_build_verl(args: argparse.Namespace) -> int:
    from patarm.adapters.verl import verl_rows
    from patarm.data import write_rows

    if not args.output.endswith(".parquet"):
        raise ConfigError(f"{args.output}: verl reads Parquet; name the output .parquet")
    pairs, judge_prompts, report = _stack_pairs(args)
    total = write_rows(args.output, verl_rows(pairs, judge_prompts, data_source=args.data_source))
    print_lines(load_lines(args, report))
    print(f"verl rows: {total} ({len(pairs)} pairs, chosen then rejected, pair-adjacent)")
    print(f"output: {args.output}")
    print(
        "train with: data.custom_cls.path=pkg://patarm.adapters.verl data.custom_cls.name=PairShuffledDataset "
        "data.shuffle=False reward.reward_manager.name=patarm_par (an even data.train_batch_size)"
    )
    return 0


def run_build_openrlhf(args: argparse.Namespace) -> int:
    from patarm._stream import jsonl_output
    from patarm.adapters.openrlhf import PAIR_AGENT_PATH, REWARD_FUNC_PATH, openrlhf_rows
    from patarm.data import write_rows

    jsonl_output(args.output)
    pairs, judge_prompts, report = _stack_pairs(args)
    total = write_rows(args.output, openrlhf_rows(pairs, judge_prompts, mode=args.mode))
    print_lines(load_lines(args, report))
    print(f"OpenRLHF rows ({args.mode}): {total} ({len(pairs)} pairs)")
    print(f"output: {args.output}")
    if args.mode == "pair-row":
        print(f"train with: --train.agent_func_path {PAIR_AGENT_PATH} --rollout.n_samples_per_prompt 2n")
    else:
        print(
            f"train with: --reward.remote_url {REWARD_FUNC_PATH} "
            "(pairing not guaranteed: docs/how-to/train-openrlhf.md)"
        )
    print("and: --data.input_key input --data.label_key label --data.apply_chat_template")
    return 0


def add_stack_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``build-verl`` and ``build-openrlhf`` under ``patarm data``."""
    verl = sub.add_parser(
        "build-verl",
        help="verl parquet for PAR: two judge-prompt rows per pair, pair-adjacent",
        description=(
            "Columns data_source, prompt (chat messages), ability (the domain), reward_model and extra_info "
            "{pair_id, role, domain, index}; rows chosen then rejected. Train with PairShuffledDataset and "
            "the patarm_par reward manager."
        ),
    )
    shared_args(verl, ".parquet", with_prompts=True)
    verl.add_argument("--data-source", default="patarm", help="data_source column (default patarm)")
    verl.set_defaults(func=run_build_verl)

    orl = sub.add_parser(
        "build-openrlhf",
        help="OpenRLHF JSONL for PAR: pair rows (pairing guaranteed) or side rows",
        description=(
            "Rows {input, label}: input is the judge prompt as chat messages, label a JSON string. pair-row: one "
            "row per pair, both judge prompts in the label, for patarm's pair agent. side-row: one row per side, "
            "for patarm's reward_func.py."
        ),
    )
    shared_args(orl, ".jsonl", with_prompts=True)
    orl.add_argument("--mode", choices=["pair-row", "side-row"], default="pair-row", help="default pair-row")
    orl.set_defaults(func=run_build_openrlhf)
