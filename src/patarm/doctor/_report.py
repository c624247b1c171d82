"""Run the checks for the stacks asked for and present them: text for people, JSON for scripts."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass

from patarm._version import __version__
from patarm.doctor._checks import Finding, check_stack
from patarm.doctor._probe import EnvironmentProbe
from patarm.doctor._ranges import STACKS
from patarm.errors import InputError

__all__ = ["Report", "installed_stacks", "run_doctor"]


@dataclass(frozen=True)
class Report:
    """Findings for the stacks checked; ``ok`` when no check failed."""

    stacks: tuple[str, ...]
    findings: tuple[Finding, ...]
    gpu_checked: bool
    versions: dict[str, str | None]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "stacks": {s: all(f.ok for f in self.findings if f.stack == s) for s in self.stacks},
            "gpu_checked": self.gpu_checked,
            "versions": self.versions,
            "findings": [f.to_dict() for f in self.findings],
            "problems": [f.to_dict() for f in self.problems],
        }

    def render(self) -> str:
        """The report as lines of text: each problem with its fix, then a verdict."""
        shown = ", ".join(f"{k} {v}" for k, v in self.versions.items() if v)
        gpu = "GPU checks on" if self.gpu_checked else "GPU checks skipped (--no-gpu)"
        lines = [f"patarm doctor: {shown}; {gpu}"]
        for stack in self.stacks:
            mine = [f for f in self.findings if f.stack == stack]
            ready = all(f.ok for f in mine)
            lines.append(f"\n[{stack}] {'ready' if ready else 'NOT READY'}")
            for f in mine:
                lines.append(f"  {'ok  ' if f.ok else 'FAIL'} {f.check}: {f.message}")
                if not f.ok and f.fix:
                    lines.append(f"       fix: {f.fix}")
        count = len(self.problems)
        verdict = f"{count} problem{'s' * (count != 1)}; fix them and rerun patarm doctor"
        lines.append("\nready" if self.ok else f"\n{verdict}")
        return "\n".join(lines)


def installed_stacks(probe: EnvironmentProbe) -> list[str]:
    """The stacks whose framework is installed in this environment."""
    return [name for name, stack in STACKS.items() if probe.version(stack.framework) is not None]


def run_doctor(
    stacks: Sequence[str] | None = None, *, gpu: bool = True, probe: EnvironmentProbe | None = None
) -> Report:
    """Check this environment for ``stacks`` (None: every stack installed here; ``["all"]``: all).

    >>> report = run_doctor(["serve"], gpu=False)
    >>> report.stacks, isinstance(report.ok, bool)
    (('serve',), True)
    """
    probe = probe or EnvironmentProbe()
    if stacks is None:
        names = installed_stacks(probe)
    elif "all" in stacks:
        names = list(STACKS)
    else:
        unknown = sorted(set(stacks) - set(STACKS))
        if unknown:
            raise InputError(f"unknown stack {', '.join(unknown)}; choose from {', '.join(STACKS)} or all")
        names = list(dict.fromkeys(stacks))
    findings: list[Finding] = []
    if not names:
        commands = "; ".join(f"{n}: {s.command_for(gpu)}" for n, s in STACKS.items())
        findings.append(Finding("none", "installed", False, "no supported stack is installed here", commands))
    for name in names:
        findings += check_stack(STACKS[name], probe, gpu=gpu)
    versions: dict[str, str | None] = {"patarm": __version__, "python": platform.python_version()}
    for dist in ("torch", "transformers", "trl", "verl", "openrlhf", "ray", "vllm"):
        versions[dist] = probe.version(dist)
    return Report(tuple(names) or ("none",), tuple(findings), gpu, versions)
