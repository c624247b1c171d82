"""The documented launch commands, run by the launch smokes as the docs show them: the ```bash
block of a page under docs/ that mentions a marker (its ``pip install`` lines left out: the
stack script installed the environment), with the trailing ``...`` replaced by what a CPU run
must add, executed by bash."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

DOCS = Path(__file__).parents[3] / "docs"


def launch_block(page: str, marker: str) -> str:
    """The ```bash block of ``docs/PAGE`` that mentions ``marker``, without its pip lines."""
    lines = (DOCS / page).read_text().splitlines()
    blocks, current = [], None
    for line in lines:
        if line == "```bash":
            current = []
        elif line == "```" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None and not line.startswith("pip install"):
            current.append(line)
    (block,) = [b for b in blocks if any(marker in line for line in b)]
    return "\n".join(block)


def with_extra(block: str, extra: list[str]) -> str:
    """The block with its trailing ``...`` replaced by ``extra`` (shell-quoted)."""
    head, dots, tail = block.rpartition(" ...")
    if not dots:
        raise ValueError("the documented launch command has no trailing '...' to extend")
    return head + " " + shlex.join(extra) + tail


def launch_argv(script: str, module: str, cwd: Path) -> list[str]:
    """The arguments ``python -m MODULE`` receives when bash runs ``script`` (nothing else runs:
    ``patarm`` and that python call are replaced by shell functions; other python calls run)."""
    shim = (
        "patarm() { :; }\n"
        f'python() {{ if [ "$1" = -m ] && [ "$2" = {module} ]; then shift 2; printf "%s\\0" "$@"; '
        'else command python "$@"; fi; }\n'
    )
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", shim + script], cwd=cwd, capture_output=True, check=True)
    return out.stdout.decode().split("\0")[:-1]


def run(script: str, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with bash as the docs' reader would, output captured."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
