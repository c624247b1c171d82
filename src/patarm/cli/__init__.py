"""The ``patarm`` command line: one module per command, each a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import select
import sys
from collections.abc import Sequence

from patarm._version import __version__
from patarm.cli._errors import report

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from patarm.cli import (
        _analyze,
        _audit,
        _data,
        _demo,
        _doctor,
        _eval,
        _hackcheck,
        _judge,
        _rubrics,
        _selfcheck,
        _serve,
    )

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
    _analyze.add_parser(commands)
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
    try:
        try:
            code = _run(argv)
        finally:
            sys.stdout.flush()  # a reader that went away is found here, not at interpreter exit
    except BrokenPipeError:  # from writing our own output (a command's other pipes are reported in _run)
        return _quiet_after_closed_pipe()
    return code


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _import_from_working_directory()
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
    except BrokenPipeError as exc:
        if _stdout_closed():
            raise  # the reader of our output went away (``patarm ... | head``): end quietly
        return report(exc, args, debug=args.debug)  # some other pipe (a subprocess's): a failure
    except Exception as exc:  # every failure becomes one line (see _errors); --debug adds the traceback
        return report(exc, args, debug=args.debug)
    except KeyboardInterrupt:
        print(
            f"patarm {args.command}: interrupted; no output was left half-written, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    return code


def _import_from_working_directory() -> None:
    """Let a dotted path on the command line (``--model my_judges:judge``, a delta spec
    ``my_pkg.deltas:capped(max=2)``, ``--backend my_pkg:Backend``) name a module in the working
    directory, as ``python -m`` would; without this the ``patarm`` script finds it only with
    ``PYTHONPATH=.``. Appended, so it never shadows an installed module of the same name."""
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.append(cwd)


def _stdout_closed() -> bool:
    """Whether the reader of standard output has gone away (its pipe reports an error)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no real file behind stdout (captured), or no poll
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events)


def _quiet_after_closed_pipe() -> int:
    """End without a message once the reader of our output has gone (``patarm rubrics list | head -1``):
    what is still buffered goes to /dev/null, so the interpreter's final flush cannot fail again
    (the Python documentation's recipe for SIGPIPE). Exit 141, as a shell reports a process
    ended by SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind stdout: nothing is left to flush there
        pass
    return _CLOSED_PIPE


_CLOSED_PIPE = 128 + 13  # 128 + SIGPIPE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
