"""The torch Sampler over pair-preserving order (imports torch: load it lazily)."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

from torch.utils.data import Sampler

from patarm.errors import ConfigError
from patarm.sampling._pairs import epoch_pairs, pair_rows

__all__ = ["PairSampler"]


class PairSampler(Sampler[int]):
    """Yield row indices so the two rows of a pair are adjacent, chosen first.

    Shuffles PAIRS, never rows, deterministically from ``(seed, epoch)``; call
    :meth:`set_epoch` at the start of each epoch. With ``num_replicas > 1`` each rank gets
    whole pairs, disjoint across ranks, padded or trimmed by ``drop_last`` like torch's
    ``DistributedSampler``.

    Args:
        pair_ids: The pair id of each dataset row, in dataset order; each id must name
            exactly two rows, one per side.
        roles: The side of each row: ``"chosen"`` / ``"rejected"`` (any case) or a bool,
            True for chosen. None: the first row of a pair is its chosen row.
        shuffle: Shuffle the order of pairs each epoch. Default True.
        seed: Seed of the order, >= 0; every rank must use the same one.
        num_replicas: Number of ranks sharing the data (the data-parallel world size).
        rank: This rank, in ``[0, num_replicas)``.
        drop_last: Drop the pairs that do not divide evenly across ranks, instead of
            repeating pairs from the front to pad.

    Raises:
        ValueError: A pair id does not name exactly one row of each side, a role is not
            recognised, or ``seed``, ``num_replicas`` or ``rank`` is out of range.

    >>> list(PairSampler(["a", "b", "a", "b"], shuffle=False))
    [0, 2, 1, 3]
    """

    def __init__(
        self,
        pair_ids: Sequence[Hashable],
        roles: Sequence[object] | None = None,
        *,
        shuffle: bool = True,
        seed: int = 0,
        num_replicas: int = 1,
        rank: int = 0,
        drop_last: bool = False,
    ) -> None:
        self.pair_ids, self.rows = pair_rows(pair_ids, roles)
        self.shuffle = shuffle
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self.drop_last = drop_last
        self.epoch = 0
        self._pairs_this_rank = len(self._pairs())  # validates the settings now

    def _pairs(self) -> list[int]:
        return epoch_pairs(
            len(self.rows),
            epoch=self.epoch,
            shuffle=self.shuffle,
            seed=self.seed,
            num_replicas=self.num_replicas,
            rank=self.rank,
            drop_last=self.drop_last,
        )

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose order the next iteration yields."""
        if epoch < 0:
            raise ConfigError(f"epoch must be >= 0, got {epoch}")
        self.epoch = epoch

    @property
    def num_pairs(self) -> int:
        """Pairs this rank visits per epoch."""
        return self._pairs_this_rank

    def __iter__(self) -> Iterator[int]:
        for position in self._pairs():
            yield from self.rows[position]

    def __len__(self) -> int:
        return 2 * self._pairs_this_rank
