"""The ``patarm`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from patarm._version import __version__

__all__ = ["main"]


def _cmd_selfcheck(args: argparse.Namespace) -> int:
    from patarm._selfcheck import EXAMPLE_PAIR, run_selfcheck
    from patarm.voting import mean_vote

    result = run_selfcheck()
    print(f"patarm {__version__} self-check: one pair, 4 judge rollouts per side, graded delta, format -1/0")
    print(f"prompt: {EXAMPLE_PAIR.prompt}")
    print()
    print(f"{'side':<9}{'#':>2}  {'score':>6}  {'malformed reason':<18}{'reward':>7}")
    for side in ("chosen", "rejected"):
        for i, (j, r) in enumerate(zip(result.judgments[side], result.rewards[side], strict=True)):
            score = "-" if j.score is None else f"{j.score:g}"
            reason = j.malformed_reason.value if j.malformed_reason else ""
            print(f"{side:<9}{i:>2}  {score:>6}  {reason:<18}{r:>7.2f}")
    print()
    for side in ("chosen", "rejected"):
        mean = mean_vote([j.score for j in result.judgments[side]])
        print(f"mean {side} score (well-formed only): {mean:.3f}" if mean is not None else f"{side}: no score")
    if result.ok:
        print("self-check passed: parser, per-pair PAR, batch PAR and voting agree")
        return 0
    for problem in result.problems:
        print(f"self-check FAILED: {problem}", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="patarm",
        description=(
            "PaTaRM reward-modeling tools: train a pointwise generative judge from pairwise "
            "preferences with the Preference-Aware Reward (PAR)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"patarm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    selfcheck = commands.add_parser(
        "selfcheck",
        help="parse a bundled set of judge outputs and score them with PAR (no model needed)",
        description=(
            "Parse eight bundled judge outputs for one preference pair (two of them malformed), "
            "compute PAR + format rewards per pair and per batch, print them, and check they agree. "
            "Exits 1 if any check fails."
        ),
    )
    selfcheck.set_defaults(func=_cmd_selfcheck)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
