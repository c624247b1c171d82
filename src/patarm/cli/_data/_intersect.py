"""``patarm data intersect``: keep only the pairs every given SFT corpus holds (the paper
intersects its pairwise-format corpus with the pointwise one)."""

from __future__ import annotations

import argparse

from patarm.cli._data._shared import print_lines

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from patarm.data import intersect_corpora

    result = intersect_corpora(args.input, args.output)
    print_lines(result.lines())
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    intersect = sub.add_parser(
        "intersect",
        help="keep only the pairs present in every given corpus (e.g. pointwise and pairwise SFT corpora)",
        description=(
            "Each --input corpus (rows with a pair_id, as build-sft writes them) is written to the --output at "
            "the same position, keeping only the rows of pairs present in every input. When the rows carry "
            "pair_key (a digest of the pair's content; build-sft writes it), a pair id whose content differs "
            "between corpora is left out and counted. Prints pairs and rows before and after, per corpus."
        ),
    )
    intersect.add_argument(
        "--input", "-i", action="append", required=True, help="an SFT corpus (.jsonl or .parquet); two or more"
    )
    intersect.add_argument(
        "--output",
        "-o",
        action="append",
        required=True,
        help="where the corpus given at the same position goes (.jsonl or .parquet; one per --input)",
    )
    intersect.set_defaults(func=run)
