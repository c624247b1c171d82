"""``patarm data convert`` and ``patarm data add-noise``: pair files in, pair files out."""

from __future__ import annotations

import argparse

from patarm.cli._data._shared import labeler, print_lines, shared_args, source

__all__ = ["add_parsers"]


def run_convert(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, convert_pairs
    from patarm.rubrics import RubricSet

    report = LoadReport()
    label = labeler(args, RubricSet(args.rubric_dir or ()))
    convert_pairs(source(args), args.output, label, report)
    print_lines(report.lines())
    print_lines([f"domain {d} ({s}): {n}" for (d, s), n in sorted(label.counts.items())])
    print(f"output: {args.output}")
    return 0


def run_add_noise(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, noise_pairs

    report = LoadReport()
    result = noise_pairs(source(args), args.output, flip=args.flip, seed=args.seed, undo=args.undo, report=report)
    print_lines(report.lines())
    print(f"pairs {'restored' if args.undo else 'flipped'}: {result.changed} of {result.total}")
    print(f"output: {args.output}")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    convert = sub.add_parser("convert", help="normalise pairs to JSONL with domains and their sources")
    shared_args(convert, "JSONL of pairs")
    convert.set_defaults(func=run_convert)

    noise = sub.add_parser(
        "add-noise",
        help="swap chosen and rejected on a seeded share of pairs (field 'flipped' records which)",
        description="Flip exactly round(FRACTION x n) pairs chosen by SEED; --undo swaps back pairs marked flipped.",
    )
    shared_args(noise, "JSONL of pairs with a boolean 'flipped' field", routed=False)
    noise.add_argument("--flip", type=float, default=0.0, metavar="FRACTION", help="share of pairs to flip, 0..1")
    noise.add_argument("--seed", type=int, default=0)
    noise.add_argument("--undo", action="store_true", help="swap back the pairs whose 'flipped' field is true")
    noise.set_defaults(func=run_add_noise)
