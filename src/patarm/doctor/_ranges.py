"""The supported environments: one table of version ranges, conflicts and GPU pieces per stack.

``patarm doctor`` checks the running interpreter against this table, and pyproject.toml's
extras carry the same ranges (a test holds them equal). Each stack is one environment a user
creates with one command (``install``, the line README's "Supported environments" shows and
CI runs); no two training stacks share an environment (see ``CONFLICT_NOTES``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONFLICT_NOTES", "STACKS", "TORCH_FIRST", "GpuPiece", "Pin", "Stack"]

# pip takes the CPU build of torch when it is asked for first; on a GPU machine bring your own.
TORCH_FIRST = "pip install torch==2.13.0"
# On a GPU machine the first step installs instead the CUDA torch the stack's GPU pieces are built
# against (Stack.gpu_first); patarm itself needs only torch>=2.4 and keeps whichever is there.


@dataclass(frozen=True)
class Pin:
    """A distribution and the PEP 440 range a stack needs (``spec`` empty: any version)."""

    dist: str
    spec: str
    why: str
    fix: str = ""  # the command that repairs it, when not ``pip install 'DIST SPEC'``

    @property
    def install(self) -> str:
        return self.fix or f"pip install '{self.dist}{self.spec}'"


@dataclass(frozen=True)
class GpuPiece:
    """A module only a GPU run imports (skipped by ``--no-gpu``)."""

    module: str
    dist: str
    why: str
    fix: str


@dataclass(frozen=True)
class Stack:
    """One supported environment: what it needs, what breaks it, how to install it."""

    name: str
    extra: str
    framework: str  # the distribution whose presence means "this stack is installed here"
    summary: str
    install: str
    requires: tuple[Pin, ...]
    forbids: tuple[Pin, ...] = ()  # installed versions inside these ranges break the stack
    gpu: tuple[GpuPiece, ...] = ()
    needs_cuda: bool = False
    gpu_first: str = ""  # on a GPU machine: what installs the CUDA torch the GPU pieces need, first

    @property
    def command(self) -> str:
        """The one command that builds this environment in a fresh venv from a clone (README's:
        ``torch==2.13.0`` first, the build CI and CPU machines use)."""
        return f"{TORCH_FIRST} && {self.install}"

    @property
    def gpu_command(self) -> str:
        """The same environment on a CUDA machine: the torch the stack's GPU pieces pin (vLLM,
        verl's GPU extra) first, then patarm from the clone, which keeps that torch (>=2.4)."""
        return f"{self.gpu_first} && {self.install}" if self.gpu_first else self.command

    def command_for(self, gpu: bool) -> str:
        """:attr:`gpu_command` when the GPU checks are on, else :attr:`command`."""
        return self.gpu_command if gpu else self.command


_FLASH_ATTN = GpuPiece(
    "flash_attn",
    "flash-attn",
    "the default attention (flash_attention_2)",
    "pip install flash-attn --no-build-isolation",
)

STACKS: dict[str, Stack] = {
    "trl": Stack(
        name="trl",
        extra="trl",
        framework="trl",
        summary="TRL 1.x: PARGRPOTrainer, PARReward, examples/trl",
        install="pip install -e '.[trl]'",
        requires=(Pin("trl", ">=1.16,<2", "PARGRPOTrainer subclasses TRL 1.x's GRPOTrainer"),),
        needs_cuda=True,
        # TRL's colocated generation (use_vllm) runs on vLLM, whose CUDA wheel pins its torch
        gpu_first="pip install 'vllm>=0.10'",
    ),
    "verl": Stack(
        name="verl",
        extra="verl",
        framework="verl",
        summary="verl 0.9.x: patarm_par reward manager, PairShuffledDataset, examples/verl",
        install="pip install -e '.[verl]'",
        requires=(
            Pin("verl", ">=0.9.1,<0.10", "the reward-loop API patarm_par implements"),
            Pin("transformers", ">=5.9,<5.11", "verl 0.9 admits <5.11 and its GPU extra pins 5.9.0"),
            Pin("ray", ">=2.41", "verl 0.9's trainer and the pair rendezvous actor"),
            Pin("aiohttp", ">=3.9", "verl's reward loop"),
        ),
        forbids=(
            Pin(
                "trl",
                ">=1",
                "verl 0.9's FSDP worker (verl/models/transformers/monkey_patch.py) imports "
                "AutoModelForCausalLMWithValueHead whenever TRL is importable, and TRL 1.x has none: "
                "every actor crashes at start-up. An environment holding both (such as patarm[dev]) "
                "runs the tests, it cannot train",
                "pip uninstall -y trl   (or train in verl's own environment, README 'Supported environments')",
            ),
        ),
        gpu=(
            GpuPiece("vllm", "vllm", "verl's rollout engine", "pip install 'verl[vllm]==0.9.1'"),
            _FLASH_ATTN,
        ),
        needs_cuda=True,
        # verl 0.9.1's GPU extras (vllm, fsdp) pin torch 2.11.0 and its companions (CUDA wheels)
        gpu_first="pip install torch==2.11.0 torchvision==0.26.0 torchaudio==2.11.0 'verl[vllm]==0.9.1'",
    ),
    "openrlhf": Stack(
        name="openrlhf",
        extra="openrlhf",
        framework="openrlhf",
        summary="OpenRLHF 0.11.x: pair_agent.py, reward_func.py, examples/openrlhf",
        install="pip install -e '.[openrlhf]' && pip install --no-deps openrlhf==0.11.2",
        requires=(
            Pin(
                "openrlhf",
                ">=0.11,<0.12",
                "the agent and remote-reward file hooks patarm's files implement",
                "pip install --no-deps 'openrlhf>=0.11,<0.12'",
            ),
            Pin("aiohttp", ">=3.9", "openrlhf.utils.agent, which loads patarm's hook files"),
        ),
        gpu=(
            GpuPiece("vllm", "vllm", "OpenRLHF generates only through vLLM", "pip install 'openrlhf[vllm]==0.11.2'"),
            GpuPiece("deepspeed", "deepspeed", "OpenRLHF trains through DeepSpeed", "pip install deepspeed==0.19.6"),
            _FLASH_ATTN,
        ),
        needs_cuda=True,
        # OpenRLHF with its GPU pins and vLLM (which brings the CUDA torch it is built against)
        gpu_first="pip install 'openrlhf[vllm]==0.11.2'",
    ),
    "serve": Stack(
        name="serve",
        extra="serve",
        framework="fastapi",
        summary="the reward server: patarm serve",
        install="pip install -e '.[serve]'",
        requires=(
            Pin("fastapi", ">=0.110", "the reward server's app"),
            Pin("uvicorn", ">=0.29", "the reward server's HTTP server"),
            Pin("httpx", ">=0.27", "clients and health checks"),
        ),
    ),
}

# Why the training stacks never share one environment (README "Supported environments").
CONFLICT_NOTES = (
    "verl 0.9 + TRL 1.x: verl's FSDP worker imports a class TRL 1.x removed (AutoModelForCausalLMWithValueHead)",
    "verl 0.9 + OpenRLHF 0.11: verl needs transformers <5.11, OpenRLHF pins transformers 5.15.0 and ray 2.55.0",
    "OpenRLHF 0.11 + TRL 1.x: OpenRLHF's hard pins (transformers, ray, deepspeed, flash-attn) decide TRL's "
    "versions; untested together",
)
