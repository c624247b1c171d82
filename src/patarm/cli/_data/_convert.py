"""``patarm data convert`` and ``patarm data add-noise``: pair files in, pair files out."""

from __future__ import annotations

import argparse

from patarm.cli._common import add_seed_arg
from patarm.cli._data._shared import labeler, load_lines, print_lines, shared_args, source
from patarm.cli._numbers import finite_float

__all__ = ["add_convert_parsers"]


def run_convert(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, convert_pairs
    from patarm.rubrics import RubricSet

    report = LoadReport()
    label = labeler(args, RubricSet(args.rubric_dir or ()))
    convert_pairs(source(args), args.output, label, report)
    print_lines(load_lines(args, report))
    print_lines([f"domain {d} ({s}): {n}" for (d, s), n in sorted(label.counts.items())])
    print(f"output: {args.output}")
    return 0


def run_add_noise(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, noise_pairs

    report = LoadReport()
    result = noise_pairs(
        source(args), args.output, flip=args.flip, seed=args.seed, undo=args.undo, stack=args.stack, report=report
    )
    print_lines(load_lines(args, report))
    if args.undo:
        undone = f"round {result.rounds + 1} undone; {result.rounds} left"
        print(f"pairs restored: {result.changed} of {result.total} ({undone})")
    else:
        print(f"pairs flipped: {result.changed} of {result.total} (noise round {result.rounds})")
    print(f"output: {args.output}")
    return 0


def add_convert_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``convert`` and ``add-noise`` under ``patarm data``."""
    convert = sub.add_parser("convert", help="normalise pairs to JSONL with domains and their sources")
    shared_args(convert, "JSONL of pairs", reference=True)
    convert.set_defaults(func=run_convert)

    noise = sub.add_parser(
        "add-noise",
        help="swap chosen and rejected on a seeded share of pairs (field 'flipped' records which)",
        description=(
            "Flip exactly round(FRACTION x n) pairs chosen by SEED. Every row records its noise rounds "
            "('flip_rounds', and 'flipped': whether its labels now differ from the original). Noised data takes "
            "another round only with --stack; --undo removes the last round."
        ),
    )
    shared_args(noise, "JSONL of pairs with 'flipped' and 'flip_rounds' fields", routed=False, reference=True)
    noise.add_argument(
        "--flip", type=finite_float(0, 1), default=0.0, metavar="FRACTION", help="share of pairs to flip, 0..1"
    )
    add_seed_arg(noise, "seed of the pairs drawn to flip")
    noise.add_argument("--undo", action="store_true", help="undo the last noise round (swap back what it swapped)")
    noise.add_argument("--stack", action="store_true", help="add a round to data noised already (refused without it)")
    noise.set_defaults(func=run_add_noise)
