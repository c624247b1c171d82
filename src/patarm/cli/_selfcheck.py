"""``patarm selfcheck``: parse bundled judge outputs and score them with PAR, no model."""

from __future__ import annotations

import argparse
import sys

from patarm._version import __version__

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from patarm._selfcheck import EXAMPLE_PAIR, run_selfcheck
    from patarm.rewards import PARSettings
    from patarm.voting import mean_vote

    result = run_selfcheck()
    s = PARSettings()
    print(
        f"patarm {__version__} self-check: one pair, 4 judge rollouts per side, "
        f"{PARSettings.default_text('delta')} delta, format {s.malformed:g}/{s.well_formed:g}"
    )
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


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "selfcheck",
        help="parse a bundled set of judge outputs and score them with PAR (no model needed)",
        description=(
            "Parse eight bundled judge outputs for one preference pair (two of them malformed), "
            "compute PAR + format rewards per pair and per batch, print them, and check they agree. "
            "Exits 1 if any check fails."
        ),
    )
    parser.set_defaults(func=run)
