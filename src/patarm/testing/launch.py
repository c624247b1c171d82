"""Parse a launch command's arguments with the stack's own code, without its GPU stack.

OpenRLHF's ``train_ppo_ray`` builds its argument parser and runs its post-parse checks in its
``__main__`` block, below module-level imports of Ray, vLLM and DeepSpeed (``train_sft`` likewise,
below DeepSpeed and peft). :func:`openrlhf_args` runs that block alone, with ``train`` replaced by a
recorder, so a CPU machine can check flags.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import importlib.util
import sys
from pathlib import Path
from typing import Any

__all__ = ["openrlhf_args"]


def openrlhf_args(argv: list[str], module: str = "openrlhf.cli.train_ppo_ray") -> Any:
    """The namespace OpenRLHF's ``module`` (``train_ppo_ray``, ``train_sft``) would train with, for
    ``argv`` (its flags).

    Raises SystemExit (argparse's exit) or OpenRLHF's own error on flags it rejects, and
    ModuleNotFoundError when OpenRLHF is not installed.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("OpenRLHF is not installed: pip install --no-deps openrlhf==0.11.2")
    tree = ast.parse(Path(spec.origin).read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))
    code = compile(ast.Module(body=block.body, type_ignores=[]), spec.origin, "exec")
    seen: dict[str, Any] = {}
    namespace: dict[str, Any] = {"argparse": argparse, "datetime": datetime.datetime, "__name__": "__main__"}
    namespace["train"] = lambda args: seen.setdefault("args", args)
    saved = sys.argv
    sys.argv = [module.rsplit(".", 1)[-1], *argv]
    try:
        exec(code, namespace)
    finally:
        sys.argv = saved
    return seen["args"]
