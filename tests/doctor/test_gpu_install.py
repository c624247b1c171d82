"""``patarm doctor`` with its GPU checks on suggests a CUDA install, never README's CPU-machine
``torch==2.13.0`` first step: on a GPU machine the torch comes from what the stack's GPU pieces
pin (verl's GPU extras: torch 2.11.0; vLLM's wheel for TRL and OpenRLHF)."""

from __future__ import annotations

import pytest

from patarm.doctor import STACKS, EnvironmentProbe, check_stack, run_doctor
from patarm.doctor._ranges import TORCH_FIRST

TRAINING = ["trl", "verl", "openrlhf"]


class Bare(EnvironmentProbe):
    """An environment where nothing is installed and no GPU is seen."""

    def version(self, dist: str) -> str | None:
        return None

    def cuda_devices(self) -> int:
        return 0


@pytest.mark.parametrize("name", TRAINING)
def test_gpu_checks_on_suggest_the_cuda_install_not_the_cpu_torch(name: str) -> None:
    stack = STACKS[name]
    (finding,) = check_stack(stack, Bare(), gpu=True)
    assert finding.check == "installed" and not finding.ok
    assert TORCH_FIRST not in finding.fix and "torch==2.13.0" not in finding.fix
    assert finding.fix == stack.gpu_command and finding.fix.endswith(stack.install)
    (cpu,) = check_stack(stack, Bare(), gpu=False)  # --no-gpu: README's command, as before
    assert cpu.fix == stack.command and cpu.fix.startswith(TORCH_FIRST)


def test_verl_on_a_gpu_machine_installs_the_torch_its_gpu_extra_pins() -> None:
    from importlib import metadata

    first = STACKS["verl"].gpu_first
    assert "torch==2.11.0" in first and "'verl[vllm]==0.9.1'" in first
    try:
        requires = metadata.requires("verl") or []
    except metadata.PackageNotFoundError:  # not a verl environment: the pins above are the check
        requires = ['torch==2.11.0; extra == "vllm"', 'torchvision==0.26.0; extra == "vllm"']
        requires += ['torchaudio==2.11.0; extra == "vllm"']
    pinned = {r.split(";")[0].strip() for r in requires if 'extra == "vllm"' in r}
    assert {"torch==2.11.0", "torchvision==0.26.0", "torchaudio==2.11.0"} <= pinned
    for pin in ("torch==2.11.0", "torchvision==0.26.0", "torchaudio==2.11.0"):
        assert pin in first


def test_no_stack_installed_lists_gpu_commands_with_gpu_checks_on() -> None:
    (none,) = run_doctor(None, gpu=True, probe=Bare()).findings
    for name in TRAINING:
        assert f"{name}: {STACKS[name].gpu_command}" in (none.fix or "")
    (cpu,) = run_doctor(None, gpu=False, probe=Bare()).findings
    assert f"verl: {STACKS['verl'].command}" in (cpu.fix or "")


def test_torch_without_cuda_names_the_stacks_gpu_torch() -> None:
    class CpuTorch(EnvironmentProbe):
        def cuda_devices(self) -> int:
            return 0

        def has_module(self, module: str) -> bool:
            return True

        def version(self, dist: str) -> str | None:
            return {"trl": "1.16.0"}.get(dist, super().version(dist))

    (cuda,) = [f for f in check_stack(STACKS["trl"], CpuTorch(), gpu=True) if f.check == "cuda"]
    assert not cuda.ok and STACKS["trl"].gpu_first in (cuda.fix or "")
