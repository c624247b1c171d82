"""A verl dataset (``data.custom_cls``) that keeps both sides of every pair in the same
training batch and shuffles whole pairs each epoch.

verl 0.9 has no sampler hook, so with ``data.shuffle=False`` (a sequential sampler) this
dataset does the shuffling: position ``i`` maps to epoch ``i // rows``, and within an
epoch rows come pair-adjacent (chosen, rejected) in a pair order drawn from
``(data.seed, epoch)``. With an even ``data.train_batch_size`` no batch splits a pair.
``+data.pair_epochs=E`` unrolls E pair-shuffled epochs into one verl epoch (set
``trainer.total_epochs=1``); E=1 is the paper's single epoch.
"""

from __future__ import annotations

import logging
from typing import Any

from verl.utils.dataset.rl_dataset import RLHFDataset

from patarm.adapters.verl._settings import PairConfigError, config_get, data_problems
from patarm.sampling import epoch_pairs, pair_rows

__all__ = ["PairShuffledDataset"]

logger = logging.getLogger(__name__)


class PairShuffledDataset(RLHFDataset):  # type: ignore[misc]
    """RLHFDataset over pair-keyed rows, served pair-adjacent in a per-epoch pair order."""

    def __init__(self, data_files: Any, tokenizer: Any, config: Any, processor: Any = None, max_samples: int = -1):
        problems = data_problems(config)
        if problems:
            raise PairConfigError("PairShuffledDataset: " + "; ".join(problems))
        self.pair_epochs = int(config_get(config, "pair_epochs", 1))
        if self.pair_epochs < 1:
            raise PairConfigError(f"data.pair_epochs: expected >= 1, got {self.pair_epochs}")
        self.pair_seed = int(config_get(config, "seed", 0))
        super().__init__(data_files, tokenizer, config, processor, max_samples)

    def _read_files_and_tokenize(self) -> None:
        super()._read_files_and_tokenize()
        self._index_pairs()

    def _index_pairs(self) -> None:
        """Both rows of every pair; a pair that lost a side to filtering (overlong prompt,
        max_samples) is dropped whole, counted in ``dropped_pairs`` and logged."""
        frame = self.dataframe
        infos = frame["extra_info"]
        sources = frame["data_source"] if "data_source" in frame.column_names else [None] * len(infos)
        for row, info in enumerate(infos):
            if not info or "pair_id" not in info or "role" not in info:
                raise KeyError(f"row {row}: extra_info needs 'pair_id' and 'role' (got {info!r:.120})")
        pair_ids = [info["pair_id"] for info in infos]
        _, self.pairs = pair_rows(pair_ids, [info["role"] for info in infos], sources, drop_incomplete=True)
        self.dropped_pairs = len(set(zip(sources, pair_ids, strict=True))) - len(self.pairs)
        if self.dropped_pairs:
            logger.warning("PairShuffledDataset: dropped %d pair(s) that lost a side to filtering", self.dropped_pairs)

    def __len__(self) -> int:
        return 2 * len(self.pairs) * self.pair_epochs

    def row_index(self, position: int) -> int:
        """The underlying row served at ``position`` (pure; the whole ordering lives here)."""
        if not 0 <= position < len(self):
            raise IndexError(f"position {position} out of range for {len(self)} rows")
        per_epoch = 2 * len(self.pairs)
        epoch, offset = divmod(position, per_epoch)
        order = self._order(epoch)
        return self.pairs[int(order[offset // 2])][offset % 2]

    def _order(self, epoch: int) -> Any:
        cache = getattr(self, "_order_cache", None)
        if cache is None or cache[0] != epoch:
            cache = (epoch, epoch_pairs(len(self.pairs), epoch=epoch, seed=int(self.pair_seed)))
            self._order_cache = cache
        return cache[1]

    def __getitem__(self, item: int) -> Any:
        return super().__getitem__(self.row_index(int(item)))
