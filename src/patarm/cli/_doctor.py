"""``patarm doctor``: check that this environment can run a stack; each problem with its fix."""

from __future__ import annotations

import argparse
import json

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from patarm.doctor import run_doctor

    report = run_doctor(None if args.stack is None else [args.stack], gpu=not args.no_gpu)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.render())
    return 0 if report.ok else 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from patarm.doctor import STACKS

    parser = commands.add_parser(
        "doctor",
        help="check this environment against a stack's supported versions, conflicts and GPU pieces",
        description=(
            "Check the installed versions against the supported ranges of a stack, its known conflicts "
            "(TRL 1.x next to verl 0.9, verl-core modules, transformers ranges, OpenRLHF's pins), that "
            "patarm's verl entry point and OpenRLHF hook files load, and the GPU pieces (vLLM, flash-attn, "
            "DeepSpeed, CUDA). Prints each problem with the command that fixes it. Exit 0 when ready, 1 if not."
        ),
    )
    parser.add_argument(
        "--stack",
        choices=[*STACKS, "all"],
        help="the stack to check (default: every stack whose framework is installed here)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--no-gpu", action="store_true", help="check the installation only: skip vLLM, flash-attn, DeepSpeed, CUDA"
    )
    parser.set_defaults(func=run)
