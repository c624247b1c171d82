"""The ``patarm`` command line: one module per command, each a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from patarm._version import __version__
from patarm.cli._errors import report

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from patarm.cli import _audit, _data, _demo, _doctor, _eval, _hackcheck, _judge, _rubrics, _selfcheck, _serve

    parser = argparse.ArgumentParser(
        prog="patarm",
        description=(
            "PaTaRM reward-modeling tools: train a pointwise generative judge from pairwise "
            "preferences with the Preference-Aware Reward (PAR), and judge with task-adaptive rubrics."
        ),
    )
    parser.add_argument("--version", action="version", version=f"patarm {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback when a command fails")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _demo.add_parser(commands)
    _selfcheck.add_parser(commands)
    _rubrics.add_parser(commands)
    _judge.add_parser(commands)
    _eval.add_parser(commands)
    _audit.add_parser(commands)
    _hackcheck.add_parser(commands)
    _serve.add_parser(commands)
    _data.add_parser(commands)
    _doctor.add_parser(commands)
    _debug_everywhere(parser)
    return parser


def _debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept ``--debug`` after any (sub)command too, not only right after ``patarm``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                _debug_everywhere(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
    except Exception as exc:  # every failure becomes one line (see _errors); --debug adds the traceback
        return report(exc, args, debug=args.debug)
    except KeyboardInterrupt:
        print(
            f"patarm {args.command}: interrupted; no output was left half-written, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
