"""PairShuffledDataset with verl's own sampler, collate function and StatefulDataLoader:
every batch holds whole pairs, each epoch serves every pair once, epochs differ."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from patarm.adapters.verl import PairConfigError, verl_rows
from patarm.data import write_rows
from patarm.testing.tiny import build_tiny_tokenizer
from patarm.types import PreferencePair

omegaconf = pytest.importorskip("omegaconf")
pytest.importorskip("verl")

from torchdata.stateful_dataloader import StatefulDataLoader  # noqa: E402
from verl.trainer.ppo.utils import create_rl_dataset, create_rl_sampler  # noqa: E402
from verl.utils.dataset.rl_dataset import collate_fn  # noqa: E402

NUM_PAIRS = 10


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pairs = [
        PreferencePair(pair_id=f"p{i}", prompt=f"question {i}?", chosen=f"good answer {i}", rejected=f"bad {i}")
        for i in range(NUM_PAIRS)
    ]
    path = tmp_path_factory.mktemp("verl") / "train.parquet"
    write_rows(path, verl_rows(pairs))
    return path


def data_config(**overrides: object) -> object:
    base = {
        "custom_cls": {"path": "pkg://patarm.adapters.verl", "name": "PairShuffledDataset"},
        "shuffle": False,
        "seed": 3,
        "train_batch_size": 4,
        "max_prompt_length": 4096,
        "filter_overlong_prompts": False,
        "return_raw_chat": True,
        "prompt_key": "prompt",
        "dataloader_num_workers": 0,
        "cache_dir": None,
    }
    base.update(overrides)
    return omegaconf.OmegaConf.create(base)


def batches(path: Path, config: object) -> list[list[tuple[str, str]]]:
    dataset = create_rl_dataset([str(path)], config, build_tiny_tokenizer(), None, is_train=True)  # verl's factory
    loader = StatefulDataLoader(
        dataset, batch_size=config.train_batch_size, drop_last=True, collate_fn=collate_fn,
        sampler=create_rl_sampler(config, dataset),
    )  # fmt: skip
    out = []
    for batch in loader:
        out.append([(info["pair_id"], info["role"]) for info in batch["extra_info"]])
    return out


def test_batches_hold_whole_pairs_and_epochs_cover_every_pair(parquet: Path, tmp_path: Path) -> None:
    config = data_config(pair_epochs=3, cache_dir=str(tmp_path))
    got = batches(parquet, config)
    assert len(got) == 3 * 2 * NUM_PAIRS // 4
    for batch in got:
        assert Counter(pid for pid, _ in batch) == {pid: 2 for pid, _ in batch}
        assert [role for _, role in batch] == ["chosen", "rejected"] * (len(batch) // 2)
    flat = [pid for batch in got for pid, role in batch if role == "chosen"]
    epochs = [flat[k * NUM_PAIRS : (k + 1) * NUM_PAIRS] for k in range(3)]
    assert all(sorted(e) == sorted(f"p{i}" for i in range(NUM_PAIRS)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    # same seed -> same order; another seed -> another order
    assert batches(parquet, config) == got
    assert batches(parquet, data_config(pair_epochs=3, seed=4, cache_dir=str(tmp_path))) != got


def test_row_shuffle_and_odd_batches_are_rejected(parquet: Path, tmp_path: Path) -> None:
    with pytest.raises(PairConfigError, match=r"data\.shuffle=False"):
        batches(parquet, data_config(shuffle=True, cache_dir=str(tmp_path)))
    with pytest.raises(PairConfigError, match="train_batch_size=3: must be even"):
        batches(parquet, data_config(train_batch_size=3, cache_dir=str(tmp_path)))


def test_a_pair_missing_a_side_is_named(tmp_path: Path) -> None:
    rows = verl_rows([PreferencePair(pair_id="solo", prompt="q?", chosen="a", rejected="b")])[:1]
    path = tmp_path / "bad.parquet"
    write_rows(path, rows)
    dataset_cls = __import__("patarm.adapters.verl", fromlist=["PairShuffledDataset"]).PairShuffledDataset
    dataset = dataset_cls([str(path)], build_tiny_tokenizer(), data_config(cache_dir=str(tmp_path)))
    assert len(dataset) == 0 and dataset.dropped_pairs == 1
