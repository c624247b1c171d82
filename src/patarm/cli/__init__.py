"""The ``patarm`` command line: one module per command, each a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from patarm._version import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from patarm.cli import _data, _demo, _doctor, _eval, _judge, _rubrics, _selfcheck, _serve

    parser = argparse.ArgumentParser(
        prog="patarm",
        description=(
            "PaTaRM reward-modeling tools: train a pointwise generative judge from pairwise "
            "preferences with the Preference-Aware Reward (PAR), and judge with task-adaptive rubrics."
        ),
    )
    parser.add_argument("--version", action="version", version=f"patarm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _demo.add_parser(commands)
    _selfcheck.add_parser(commands)
    _rubrics.add_parser(commands)
    _judge.add_parser(commands)
    _eval.add_parser(commands)
    _serve.add_parser(commands)
    _data.add_parser(commands)
    _doctor.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"patarm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
