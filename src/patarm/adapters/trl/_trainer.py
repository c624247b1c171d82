"""TRL's GRPO trainer with pair-preserving sampling for PAR (imports TRL: extra ``trl``)."""

from __future__ import annotations

from typing import Any

from patarm._extras import require
from patarm.errors import ConfigError

require("trl", "trl")

from torch.utils.data import Sampler  # noqa: E402
from trl import GRPOTrainer  # noqa: E402

from patarm.adapters.trl._sampler import PairRepeatSampler, check_pair_batching  # noqa: E402
from patarm.adapters.trl._vllm_sync import use_reload_on_repacking_platforms  # noqa: E402

__all__ = ["PARGRPOTrainer"]


class PARGRPOTrainer(GRPOTrainer):  # type: ignore[misc]
    """``GRPOTrainer`` whose sampler keeps both judge prompts of every pair, with all their
    generations, in the same reward call on every process.

    The training dataset needs ``pair_id`` and ``role`` columns (see :func:`grpo_rows`), each
    pair id naming exactly two rows. Batch settings that cannot hold whole pairs, and pair ids
    that do not name one chosen and one rejected row, fail here, at start, with the setting or
    the pair id to change. Use it with :class:`PARReward`.

    With ``use_vllm=True, vllm_mode="colocate"`` on vLLM's CPU build, the trained weights reach
    the engine through vLLM's in-place reload (see :mod:`patarm.adapters.trl._vllm_sync`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_reload_on_repacking_platforms(self)
        self._get_train_sampler()  # checks settings and pairs: fail at start, not at the first step
        evaluation = self.eval_dataset
        for dataset in evaluation.values() if isinstance(evaluation, dict) else [evaluation]:
            if dataset is not None:
                self._get_eval_sampler(dataset)

    def _pair_layout(self) -> tuple[int, int]:
        _check_pair_columns(self.train_dataset, "training")
        args = self.args
        return check_pair_batching(
            num_generations=self.num_generations,
            generation_batch_size=args.generation_batch_size,
            per_process_rows=args.per_device_train_batch_size * args.steps_per_generation,
            num_processes=self.accelerator.num_processes,
        )

    def _get_train_sampler(self, dataset: Any = None) -> Sampler[int]:
        dataset = self.train_dataset if dataset is None else dataset
        per_chunk, _ = self._pair_layout()
        return PairRepeatSampler(
            dataset["pair_id"],
            dataset["role"],
            num_generations=self.num_generations,
            prompts_per_chunk=per_chunk,
            repeat_count=self.num_iterations * self.args.steps_per_generation,
            shuffle=self.shuffle_dataset,
            seed=self.args.seed,
        )

    def _get_eval_sampler(self, eval_dataset: Any) -> Sampler[int]:
        # TRL's evaluation sampler shuffles rows; PAR needs each evaluation batch (one reward
        # call per process) to hold whole pairs with all their generations, in a fixed order.
        _check_pair_columns(eval_dataset, "evaluation")
        generations = self.num_generations_eval
        rows = self.args.per_device_eval_batch_size
        if rows % (2 * generations):
            raise ConfigError(
                f"per_device_eval_batch_size ({rows}) must be a multiple of 2 x num_generations_eval "
                f"= {2 * generations}, so that each evaluation batch holds whole pairs"
            )
        return PairRepeatSampler(
            eval_dataset["pair_id"],
            eval_dataset["role"],
            num_generations=generations,
            prompts_per_chunk=rows * self.accelerator.num_processes // generations,
            shuffle=False,
        )


def _check_pair_columns(dataset: Any, purpose: str) -> None:
    if dataset is None or not hasattr(dataset, "column_names"):
        raise ConfigError(
            f"PARGRPOTrainer needs a map-style datasets.Dataset with pair_id and role columns ({purpose})"
        )
    missing = [c for c in ("pair_id", "role") if c not in dataset.column_names]
    if missing:
        raise ConfigError(f"the {purpose} dataset lacks column(s) {missing}; build it with grpo_rows()")
