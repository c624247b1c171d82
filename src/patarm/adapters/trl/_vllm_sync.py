"""Weight sync into a colocated vLLM engine that repacks its weights (vLLM's CPU build).

TRL's colocated mode copies the trained weights into the engine with the model's
``load_weights`` before each generation. vLLM's CPU build repacks every linear layer's weight
into its GEMM kernel's format after loading and drops the original tensor, so that copy fails
(``'Parameter' object has no attribute 'weight_loader'``). vLLM's own in-place reload
(``reload_weights``: restore the layers, load, repack) works there; this module routes TRL's
sync through it on such platforms and leaves every other platform on TRL's path. A language
model head tied to the embeddings receives no weights of its own, so its packed copy is
rebuilt from the reloaded embeddings afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ReloadWeights", "repack_tied_head", "use_reload_on_repacking_platforms"]


@dataclass
class ReloadWeights:
    """``sync_weights`` for TRL's ``VLLMGeneration``: all trained weights through vLLM's ``reload_weights``."""

    generation: Any

    def __call__(self) -> None:
        weights = [(name, tensor) for name, tensor in self.generation._iter_named_params()]
        self.generation.llm.collective_rpc(
            "reload_weights", kwargs={"weights_iterator": weights, "is_checkpoint_format": True}
        )
        self.generation.llm.apply_model(repack_tied_head)
        self.generation.llm.reset_prefix_cache()


def repack_tied_head(model: Any) -> bool:
    """Rebuild a vLLM model's output head from its (reloaded) embeddings when the two are tied."""
    head, embed = getattr(model, "lm_head", None), getattr(getattr(model, "model", None), "embed_tokens", None)
    if head is None or embed is None or getattr(head, "weight", None) is not getattr(embed, "weight", None):
        return False
    head.quant_method.process_weights_after_loading(head)
    return True


def use_reload_on_repacking_platforms(trainer: Any) -> bool:
    """Route ``trainer``'s colocated weight sync through vLLM's reload where vLLM runs on a CPU.

    Returns whether it did (False: no vLLM, server mode, sleep mode, or a GPU platform).
    """
    generation = getattr(trainer, "vllm_generation", None)
    if generation is None or getattr(generation, "mode", None) != "colocate":
        return False
    if getattr(generation, "enable_sleep_mode", False):
        return False
    from vllm.platforms import current_platform

    if not current_platform.is_cpu():
        return False
    generation.sync_weights = ReloadWeights(generation)
    return True
