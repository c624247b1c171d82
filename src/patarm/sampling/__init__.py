"""Pair-preserving sampling: both rows of a pair always land side by side in one batch.

:class:`PairSampler` is a torch ``Sampler``; it is loaded on first use so that
``import patarm.sampling`` stays free of torch. The pair toolkit under it
(:func:`normalize_role`, :func:`chosen_mask`, :func:`pair_rows`, :func:`epoch_pairs`) is
plain Python + numpy and is what the batch PAR, the rendezvous and the verl dataset use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patarm.sampling._pairs import chosen_mask, epoch_pairs, normalize_role, pair_rows

if TYPE_CHECKING:
    from patarm.sampling._sampler import PairSampler

__all__ = ["PairSampler", "chosen_mask", "epoch_pairs", "normalize_role", "pair_rows"]


def __getattr__(name: str) -> Any:
    if name == "PairSampler":
        from patarm.sampling._sampler import PairSampler

        return PairSampler
    raise AttributeError(f"module 'patarm.sampling' has no attribute {name!r}")
