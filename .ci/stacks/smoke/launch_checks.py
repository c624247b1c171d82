"""What the launch smokes share: how a smoke fails, the synthetic pairs and the scripted teacher
the SFT smokes build their rows from, the commands a recipe prints under ``DRY_RUN=1``, and the
check that a real launch stopped at its GPU boundary and at nothing before it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

# A teacher for `patarm data build-sft --backend python`: 9 to a response that starts with "good",
# 3 to any other, so every pair of sft_pairs() is kept with a margin of 6.
TEACHER = """import re
def judge(prompt, seed):
    text = re.search(r"<response>\\n(.*?)\\n</response>", prompt, re.DOTALL).group(1)
    return "<rationale>Scripted.</rationale><answer>%d</answer>" % (9 if text.startswith("good") else 3)
"""


def report_failure(smoke: str, message: str, output: str = "") -> None:
    """Print the tail of ``output`` and ``<smoke> smoke FAILED: <message>`` (on stderr)."""
    print(output[-6000:])
    print(f"{smoke} smoke FAILED: {message}", file=sys.stderr)


def fail(smoke: str, message: str, output: str = "") -> NoReturn:
    """:func:`report_failure`, then exit with status 1."""
    report_failure(smoke, message, output)
    sys.exit(1)


def write_pairs(work: Path, pairs: Sequence[Mapping[str, str]]) -> None:
    """Write ``pairs`` to ``work/pairs.jsonl``, one JSON object a line."""
    (work / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs))


def sft_pairs(work: Path, count: int = 8) -> list[dict[str, str]]:
    """``count`` pairs the scripted teacher keeps (chosen "good ...", rejected "bad ..."),
    written to ``work/pairs.jsonl``, with the teacher at ``work/teacher.py``."""
    pairs = [
        {"pair_id": f"p{i}", "prompt": f"What is {i} + {i}?", "chosen": f"good {2 * i}", "rejected": f"bad {i}"}
        for i in range(count)
    ]
    write_pairs(work, pairs)
    (work / "teacher.py").write_text(TEACHER)
    return pairs


def sft_recipe_env(work: Path, model: Path, **more: str) -> dict[str, str]:
    """The environment an SFT recipe runs in on one CPU: the tiny ``model``, the pairs and the
    scripted teacher of :func:`sft_pairs`, data under ``work/data``, one process, the GPU checks
    of ``patarm doctor`` off; ``more`` adds the recipe's own variables."""
    return {
        **os.environ,
        "MODEL_PATH": str(model),
        "PAIRS": str(work / "pairs.jsonl"),
        "TEACHER_ARGS": f"--backend python --model {work / 'teacher.py'}:judge",
        "DATA_DIR": str(work / "data"),
        "GPUS_PER_NODE": "1",
        "DOCTOR_FLAGS": "--no-gpu",
        "OMP_NUM_THREADS": "1",
        **more,
    }


def dry_run_argv(smoke: str, recipe: Path, work: Path, env: Mapping[str, str], module: str) -> list[str]:
    """The arguments after ``module`` in the command ``recipe`` prints under ``DRY_RUN=1``
    (``smoke`` fails, with the recipe's output, if the dry run does)."""
    dry = subprocess.run(
        ["bash", str(recipe)], cwd=work, env={**env, "DRY_RUN": "1"}, capture_output=True, text=True, timeout=60
    )
    if dry.returncode != 0:
        fail(smoke, "DRY_RUN=1 of the recipe", dry.stdout + dry.stderr)
    argv = next(shlex.split(line[2:]) for line in dry.stdout.splitlines() if module in line)
    return argv[argv.index(module) + 1 :]


def early_errors(output: str, markers: Sequence[str], warning: str = "Warning:") -> list[str]:
    """The lines of ``output`` with one of ``markers`` (errors on the way to the GPU boundary),
    lines with ``warning`` left out (the optional engines a stack warns it lacks)."""
    return [line for line in output.splitlines() if any(m in line for m in markers) and warning not in line]


def stopped_at_boundary(
    smoke: str,
    command: str,
    run: subprocess.CompletedProcess[str],
    boundary: str,
    dataset_up: str,
    dataset: str,
    markers: Sequence[str],
) -> None:
    """Fail ``smoke`` unless ``command`` failed at ``boundary`` after printing ``dataset_up``
    (``dataset``: what it builds, for the message) with none of ``markers`` on its way."""
    output = run.stdout + run.stderr
    if run.returncode == 0:
        fail(smoke, f"{command} ran to the end on a CPU: the GPU boundary moved", output)
    if boundary not in output:
        fail(smoke, f"{command} stopped before the GPU boundary ({boundary!r} not seen)", output)
    if dataset_up not in output:
        fail(smoke, f"{command} stopped without building {dataset} ({dataset_up!r} not seen)", output)
    early = early_errors(output, markers)
    if early:
        fail(smoke, f"{command} hit {early} on its way", output)
