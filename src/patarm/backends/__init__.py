"""Generation backends behind one interface (:class:`Backend`): prompts in, n samples out.

- :class:`FunctionBackend`: a Python function (baselines, tests);
- :class:`TransformersBackend`: a local model, batched (core dependencies);
- :class:`OpenAIBackend`: any OpenAI-compatible server over HTTP (vLLM, SGLang, hosted APIs), or
  several replicas of one (least-outstanding routing, failover; :class:`ReplicaStats` per replica);
- :class:`VLLMBackend`: vLLM's offline engine (extra ``patarm[vllm]``).

Heavy backends are loaded on first access, so ``import patarm.backends`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patarm.backends._base import Backend, ChatInput, Completion, SamplingParams, TokenLogprobs, sample_seed
from patarm.backends._function import FunctionBackend, prompt_text
from patarm.backends._replicas import ReplicaStats

if TYPE_CHECKING:
    from patarm.backends._openai import OpenAIBackend
    from patarm.backends._transformers import TransformersBackend
    from patarm.backends._vllm import VLLMBackend

__all__ = [
    "Backend",
    "ChatInput",
    "Completion",
    "FunctionBackend",
    "OpenAIBackend",
    "ReplicaStats",
    "SamplingParams",
    "TokenLogprobs",
    "TransformersBackend",
    "VLLMBackend",
    "prompt_text",
    "sample_seed",
]

_LAZY = {
    "OpenAIBackend": "patarm.backends._openai",
    "TransformersBackend": "patarm.backends._transformers",
    "VLLMBackend": "patarm.backends._vllm",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'patarm.backends' has no attribute {name!r}")
