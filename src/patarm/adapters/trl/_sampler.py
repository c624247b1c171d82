"""Prompt order for GRPO that keeps the two judge prompts of a pair together.

TRL's GRPO trainer samples *prompts*; each is generated ``num_generations`` times in a row,
prompts come in global chunks of ``generation_batch_size // num_generations``, and each
process takes a consecutive slice of a chunk. This sampler shuffles PAIRS, lays each
pair out as (chosen prompt, rejected prompt), and checks that chunks and per-process slices
hold an even number of prompts, so every reward call sees both sides of each of its pairs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

from torch.utils.data import Sampler

from patarm.errors import ConfigError
from patarm.sampling import epoch_pairs, pair_rows

__all__ = ["PairRepeatSampler", "check_pair_batching"]


def check_pair_batching(
    *, num_generations: int, generation_batch_size: int, per_process_rows: int, num_processes: int = 1
) -> tuple[int, int]:
    """Validate GRPO batch settings for pair-preserving PAR; returns (prompts per chunk,
    prompts per process). Errors say which setting to change."""
    if num_generations < 1:
        raise ConfigError(f"num_generations must be >= 1, got {num_generations}")
    if generation_batch_size % num_generations:
        raise ConfigError(
            f"generation_batch_size ({generation_batch_size}) must be a multiple of num_generations "
            f"({num_generations}); change per_device_train_batch_size or steps_per_generation"
        )
    if per_process_rows % num_generations:
        raise ConfigError(
            f"each process generates {per_process_rows} completions per step "
            f"(per_device_train_batch_size x steps_per_generation), not a multiple of num_generations "
            f"({num_generations}); change per_device_train_batch_size"
        )
    per_chunk = generation_batch_size // num_generations
    per_process = per_process_rows // num_generations
    if per_process % 2:
        raise ConfigError(
            f"each process holds {per_process} judge prompt(s) per generation batch; PAR needs an even number "
            f"(whole pairs): set per_device_train_batch_size x steps_per_generation to a multiple of "
            f"2 x num_generations = {2 * num_generations}"
        )
    if per_chunk != per_process * num_processes:
        raise ConfigError(
            f"generation batch of {per_chunk} prompts does not split into {num_processes} slice(s) of {per_process}: "
            f"set generation_batch_size to per_device_train_batch_size x steps_per_generation x {num_processes} "
            f"processes = {per_process_rows * num_processes}"
        )
    return per_chunk, per_process


class PairRepeatSampler(Sampler[int]):
    """Row indices for GRPO: pairs shuffled from (seed, pass), each laid out chosen then
    rejected, each prompt repeated ``num_generations`` times, each chunk of
    ``prompts_per_chunk`` prompts repeated ``repeat_count`` times; a last chunk that cannot
    be filled is dropped (as TRL does). Each new iteration (epoch) draws a new order.

    >>> s = PairRepeatSampler(["a", "a", "b", "b"], num_generations=2, prompts_per_chunk=4, shuffle=False)
    >>> list(s)
    [0, 0, 1, 1, 2, 2, 3, 3]
    """

    def __init__(
        self,
        pair_ids: Sequence[Hashable],
        roles: Sequence[str] | Sequence[bool] | None = None,
        *,
        num_generations: int,
        prompts_per_chunk: int,
        repeat_count: int = 1,
        shuffle: bool = True,
        seed: int = 0,
    ) -> None:
        if prompts_per_chunk < 2 or prompts_per_chunk % 2:
            raise ConfigError(
                f"prompts_per_chunk must be a positive even number (whole pairs), got {prompts_per_chunk}"
            )
        if num_generations < 1 or repeat_count < 1:
            raise ConfigError("num_generations and repeat_count must be >= 1")
        self.pair_ids, self.rows = pair_rows(pair_ids, roles)
        self.num_generations = num_generations
        self.pairs_per_chunk = prompts_per_chunk // 2
        self.repeat_count = repeat_count
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0
        self.num_chunks = len(self.rows) // self.pairs_per_chunk
        if self.num_chunks == 0:
            raise ConfigError(
                f"{len(self.rows)} pair(s) cannot fill one generation batch of {self.pairs_per_chunk} pairs; "
                "use more pairs or a smaller generation batch"
            )

    @property
    def dropped_pairs(self) -> int:
        """Pairs left out of each epoch because they cannot fill a last chunk."""
        return len(self.rows) - self.num_chunks * self.pairs_per_chunk

    def __iter__(self) -> Iterator[int]:
        order = epoch_pairs(len(self.rows), epoch=self.epoch, shuffle=self.shuffle, seed=self.seed)
        self.epoch += 1
        for c in range(self.num_chunks):
            chunk = order[c * self.pairs_per_chunk : (c + 1) * self.pairs_per_chunk]
            prompts = [row for pair in chunk for row in self.rows[pair]]
            for _ in range(self.repeat_count):
                for row in prompts:
                    for _ in range(self.num_generations):
                        yield row

    def __len__(self) -> int:
        return self.num_chunks * self.pairs_per_chunk * 2 * self.num_generations * self.repeat_count
