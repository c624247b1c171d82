"""``patarm doctor``: is the environment in front of you one of the supported ones?

Checks the installed versions against each stack's supported ranges (one table:
:data:`STACKS`), the known conflicts (TRL 1.x next to verl 0.9, verl's missing ``verl-core``
modules, transformers outside a stack's range, OpenRLHF's hard pins), that patarm's verl
entry point and OpenRLHF hook files load, and (unless ``gpu=False``) the GPU pieces: vLLM,
flash-attn, DeepSpeed, a CUDA device. Every problem comes with the command that fixes it.

>>> from patarm.doctor import STACKS, in_range
>>> STACKS["verl"].requires[1].dist, in_range("5.10.4", STACKS["verl"].requires[1].spec)
('transformers', True)
"""

from __future__ import annotations

from patarm.doctor._checks import Finding, check_stack, in_range
from patarm.doctor._probe import EnvironmentProbe
from patarm.doctor._ranges import CONFLICT_NOTES, STACKS, TORCH_FIRST, GpuPiece, Pin, Stack
from patarm.doctor._report import Report, installed_stacks, run_doctor

__all__ = [
    "CONFLICT_NOTES",
    "STACKS",
    "TORCH_FIRST",
    "Finding",
    "GpuPiece",
    "Pin",
    "EnvironmentProbe",
    "Report",
    "Stack",
    "check_stack",
    "in_range",
    "installed_stacks",
    "run_doctor",
]
