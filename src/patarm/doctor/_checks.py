"""The checks ``patarm doctor`` runs for one stack, each returning findings with their fix.

``packaging`` comes with transformers (a core dependency); it is not listed on its own, so that
pip resolves it late (an early pick of the newest release sends pip backtracking through
verl's tree: tensordict's pyvers caps it)."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable
from dataclasses import asdict, dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from patarm.doctor._probe import EnvironmentProbe
from patarm.doctor._ranges import Pin, Stack

__all__ = ["Finding", "check_stack", "in_range"]

# OpenRLHF's hard pins that only a GPU run needs (checked unless --no-gpu).
_OPENRLHF_GPU_PINS = frozenset({"deepspeed", "flash-attn"})
VERL_PLUGIN = ("verl.plugins", "patarm")


@dataclass(frozen=True)
class Finding:
    """One check's result: ``ok``, what was found, and the command that fixes it."""

    stack: str
    check: str
    ok: bool
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def in_range(version: str, spec: str) -> bool:
    """Whether ``version`` lies in the PEP 440 range ``spec`` (pre-releases and local builds count).

    >>> in_range("2.13.0+cpu", ">=2.4"), in_range("5.11.0", ">=5.9,<5.11"), in_range("1.0", "")
    (True, False, True)
    """
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def _pin(stack: Stack, pin: Pin, probe: EnvironmentProbe) -> Finding:
    version = probe.version(pin.dist)
    if version is None:
        message = f"{pin.dist} is not installed (needs {pin.spec}: {pin.why})"
        return Finding(stack.name, "version", False, message, pin.install)
    if not in_range(version, pin.spec):
        message = f"{pin.dist} {version} is installed; this stack needs {pin.spec} ({pin.why})"
        return Finding(stack.name, "version", False, message, pin.install)
    return Finding(stack.name, "version", True, f"{pin.dist} {version} (needs {pin.spec})")


def _forbidden(stack: Stack, pin: Pin, probe: EnvironmentProbe) -> Finding:
    version = probe.version(pin.dist)
    if version is not None and in_range(version, pin.spec):
        return Finding(stack.name, "conflict", False, f"{pin.dist} {version} is installed: {pin.why}", pin.install)
    shown = "not installed" if version is None else version
    return Finding(stack.name, "conflict", True, f"no {pin.dist}{pin.spec} ({pin.dist}: {shown})")


def _declared(dist: str, extra: str, probe: EnvironmentProbe) -> list[Requirement]:
    """``dist``'s requirements that hold with ``extra`` (``""``: the plain install)."""
    found = []
    for line in probe.requires(dist):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        env = {"extra": extra}
        if req.marker is None or req.marker.evaluate(env):
            if extra and (req.marker is None or req.marker.evaluate({"extra": ""})):
                continue  # a plain requirement, not the extra's own
            found.append(req)
    return found


def _unmet(reqs: list[Requirement], probe: EnvironmentProbe) -> list[str]:
    unmet = []
    for req in reqs:
        version = probe.version(req.name)
        if version is None:
            unmet.append(f"{req.name} (missing)")
        elif req.specifier and not in_range(version, str(req.specifier)):
            unmet.append(f"{req.name} {version} (needs {req.specifier})")
    return unmet


def _verl_core(stack: Stack, probe: EnvironmentProbe, gpu: bool) -> list[Finding]:
    """verl's trainer imports its ``verl-core`` extra (TransferQueue, cachetools, pyzmq, ...)."""
    verl = probe.version("verl") or ""
    unmet = _unmet(_declared("verl", "verl-core", probe), probe)
    if unmet:
        message = f"verl's trainer imports its verl-core extra; unmet: {', '.join(unmet)}"
        return [Finding(stack.name, "verl-core", False, message, f"pip install 'verl[verl-core]=={verl}'")]
    return [Finding(stack.name, "verl-core", True, f"verl {verl}'s verl-core extra is installed")]


def _verl_plugin(stack: Stack, probe: EnvironmentProbe, gpu: bool) -> list[Finding]:
    """patarm's ``verl.plugins`` entry point exists and loads (it registers patarm_par / patarm_pair)."""
    group, name = VERL_PLUGIN
    entry = probe.entry_point(group, name)
    reinstall = f"{stack.install}   (entry points come from the installed package's metadata)"
    if entry is None:
        return [Finding(stack.name, "plugin", False, f"no '{name}' entry point in group '{group}'", reinstall)]
    try:
        entry.load()
    except Exception as exc:  # any import-time failure is the finding
        message = f"entry point {group}:{name} = {entry.value} fails to load: {type(exc).__name__}: {exc}"
        return [Finding(stack.name, "plugin", False, message, stack.command_for(gpu))]
    return [Finding(stack.name, "plugin", True, f"entry point {group}:{name} = {entry.value} loads")]


def _openrlhf_pins(stack: Stack, probe: EnvironmentProbe, gpu: bool) -> list[Finding]:
    """OpenRLHF's own hard pins (``==``), read from its metadata: its code is written against them."""
    openrlhf = probe.version("openrlhf") or ""
    findings = []
    for req in _declared("openrlhf", "", probe):
        if not any(s.operator == "==" for s in req.specifier):
            continue
        name = canonicalize_name(req.name)
        if name in _OPENRLHF_GPU_PINS and not gpu:
            continue
        pinned = f"{req.name}{req.specifier}"
        version = probe.version(req.name)
        if version is None or not in_range(version, str(req.specifier)):
            shown = "not installed" if version is None else f"{version} installed"
            message = f"openrlhf {openrlhf} pins {pinned}; {shown}"
            findings.append(Finding(stack.name, "pin", False, message, f"pip install '{pinned}'"))
        else:
            findings.append(Finding(stack.name, "pin", True, f"{req.name} {version} (openrlhf pins {pinned})"))
    return findings


def _load_file(path: str, attribute: str) -> str | None:
    """Load a hook file the way OpenRLHF does (by path, inside its event loop); None when it
    defines ``attribute``, else what went wrong."""

    async def load() -> str | None:
        return _exec_file(path, attribute)

    return asyncio.run(load())


def _exec_file(path: str, attribute: str) -> str | None:
    spec = importlib.util.spec_from_file_location("patarm_doctor_hook", path)
    if spec is None or spec.loader is None:
        return f"{path} cannot be loaded as a module"
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # any import-time failure is the finding
        return f"{path} fails to load: {type(exc).__name__}: {exc}"
    return None if hasattr(module, attribute) else f"{path} defines no {attribute!r}"


def _openrlhf_hooks(stack: Stack, probe: EnvironmentProbe, gpu: bool) -> list[Finding]:
    """patarm's two hook files exist and load through OpenRLHF's agent module."""
    from patarm.adapters.openrlhf import PAIR_AGENT_PATH, REWARD_FUNC_PATH

    findings = []
    for path, attribute, flag in (
        (PAIR_AGENT_PATH, "AgentExecutor", "--train.agent_func_path"),
        (REWARD_FUNC_PATH, "reward_func", "--reward.remote_url"),
    ):
        problem = _load_file(path, attribute)
        if problem is None:
            findings.append(Finding(stack.name, "hook", True, f"{flag} {path} loads ({attribute})"))
        else:
            findings.append(Finding(stack.name, "hook", False, problem, stack.command_for(gpu)))
    return findings


def _gpu(stack: Stack, probe: EnvironmentProbe) -> list[Finding]:
    findings = []
    for piece in stack.gpu:
        if probe.has_module(piece.module):
            findings.append(Finding(stack.name, "gpu", True, f"{piece.module} importable ({piece.why})"))
        else:
            message = f"{piece.module} is not installed: {piece.why} (GPU runs only; --no-gpu skips this)"
            findings.append(Finding(stack.name, "gpu", False, message, piece.fix))
    if stack.needs_cuda:
        devices = probe.cuda_devices()
        if devices:
            findings.append(Finding(stack.name, "cuda", True, f"{devices} CUDA device(s) visible to torch"))
        else:
            message = "torch sees no CUDA device: training needs a GPU (--no-gpu checks the installation only)"
            fix = "on a machine with a GPU, the CUDA build of torch for your driver (pytorch.org/get-started)"
            if stack.gpu_first:
                fix += f"; the one this stack's GPU pieces need: {stack.gpu_first}"
            findings.append(Finding(stack.name, "cuda", False, message, fix))
    return findings


_SPECIFIC: dict[str, tuple[Callable[[Stack, EnvironmentProbe, bool], list[Finding]], ...]] = {
    "verl": (_verl_core, _verl_plugin),
    "openrlhf": (_openrlhf_pins, _openrlhf_hooks),
}


def check_stack(stack: Stack, probe: EnvironmentProbe, *, gpu: bool = True) -> list[Finding]:
    """Every check of ``stack`` in this environment; ``gpu=False`` skips the GPU pieces."""
    if probe.version(stack.framework) is None:
        message = f"{stack.framework} is not installed: this is not a {stack.name} environment"
        return [Finding(stack.name, "installed", False, message, stack.command_for(gpu))]
    findings = [_pin(stack, pin, probe) for pin in stack.requires]
    findings += [_forbidden(stack, pin, probe) for pin in stack.forbids]
    for check in _SPECIFIC.get(stack.name, ()):
        findings += check(stack, probe, gpu)
    if gpu:
        findings += _gpu(stack, probe)
    return findings
