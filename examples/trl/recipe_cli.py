"""The command line the TRL recipes next to this file share (sft_judge.py, train_judge.py): their
common flags, the environment check they start with, and the flags' overrides of the config."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def recipe_parser(
    description: str | None, default_config: Path, *, data: str, model: str, output: str, tiny: str
) -> argparse.ArgumentParser:
    """A parser with the flags every recipe takes: ``--config`` (default ``default_config``, the
    8B one), ``--data``, ``--model``, ``--output`` and ``--tiny``, each with its recipe's help."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=default_config, help="YAML config (default: 8B)")
    parser.add_argument("--data", help=data)
    parser.add_argument("--model", help=model)
    parser.add_argument("--output", help=output)
    parser.add_argument("--tiny", action="store_true", help=tiny)
    return parser


def check_environment(tiny: bool) -> None:
    """Stop, printing each problem with its fix, unless TRL 1.x is installed and (without
    ``tiny``) a CUDA device is there."""
    from patarm.doctor import run_doctor

    doctor = run_doctor(["trl"], gpu=not tiny)
    if not doctor.ok:
        raise SystemExit(doctor.render())


def override_config(config: dict[str, Any], args: argparse.Namespace, section: str) -> None:
    """Let ``--data``, ``--model`` and ``--output`` (the ``output_dir`` of ``section``) win over
    the config's own values."""
    config["data"] = args.data or config["data"]
    config["model"] = args.model or config["model"]
    if args.output:
        config[section]["output_dir"] = args.output
