"""PARRewardLoopManager through verl's own reward loop: registry and importlib loading,
RewardLoopWorker.compute_score_batch (per-trajectory calls run concurrently, as verl runs
them), reward placement by the manager base class, and the timeout path."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest

from patarm.testing.tiny import build_tiny_tokenizer

from verl_batches import PAIRS, data_proto, expected, make_config, rows_for, valid_lengths

omegaconf = pytest.importorskip("omegaconf")
pytest.importorskip("verl.experimental.reward_loop", reason="needs verl >= 0.9 (the reward loop)")

from verl.experimental.reward_loop.reward_loop import RewardLoopWorker  # noqa: E402
from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls  # noqa: E402
from verl.trainer.ppo.reward import load_reward_manager  # noqa: E402


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tok")
    build_tiny_tokenizer().save_pretrained(path)
    return path


def test_registered_under_patarm_par_by_the_plugin_entry_point() -> None:
    from patarm.adapters.verl import PARRewardLoopManager

    assert get_reward_manager_cls("patarm_par") is PARRewardLoopManager


@pytest.mark.parametrize("source", ["register", "importlib"])
def test_worker_batch_equals_core_par(tokenizer_dir: Path, source: str) -> None:
    config = make_config(tokenizer_dir, source)
    worker = RewardLoopWorker(config)  # verl's own worker class, run in this process
    tok = worker.input_tokenizer
    data = data_proto(tok, rows_for(PAIRS))
    outputs = asyncio.run(worker.compute_score_batch(data))
    assert [o["reward_score"] for o in outputs] == expected(PAIRS)
    infos = [o["reward_extra_info"] for o in outputs]
    assert len({tuple(sorted(i)) for i in infos}) == 1  # verl stacks the keys of the first
    assert sum(i["par_malformed"] for i in infos) == 7
    assert sum(i["par_timeout"] for i in infos) == 0
    # pair accuracy per trajectory: only a has the chosen mean above the rejected mean
    per_pair = {pid: infos[8 * k]["par_pair_correct"] for k, pid in enumerate(PAIRS)}
    assert per_pair == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 0.0}


def test_shuffled_trajectories_and_reward_on_last_valid_token(tokenizer_dir: Path) -> None:
    config = make_config(tokenizer_dir)
    manager = load_reward_manager(config, build_tiny_tokenizer())
    rows = rows_for(PAIRS)
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    shuffled = [rows[i] for i in order]
    data = data_proto(build_tiny_tokenizer(), shuffled)

    async def run_all() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(manager.run_single(data[i : i + 1]) for i in range(len(data)))))

    outputs = asyncio.run(run_all())
    want = expected(PAIRS)
    assert [o["reward_score"] for o in outputs] == [want[i] for i in order]
    rm_scores = type(manager).assemble_rm_scores(data, [o["reward_score"] for o in outputs])
    last = valid_lengths(data) - 1
    for i in range(len(data)):
        row = rm_scores[i]
        assert row[int(last[i])].item() == pytest.approx(want[order[i]])
        assert row.count_nonzero().item() <= 1


def test_missing_partner_times_out_with_fallback(tokenizer_dir: Path) -> None:
    config = make_config(tokenizer_dir, timeout_s=0.5, actor_name="unused")
    manager = load_reward_manager(config, build_tiny_tokenizer())
    lonely = {"z": ([7.0, None, 5.0, 6.0], [])}
    data = data_proto(build_tiny_tokenizer(), rows_for(lonely))

    async def run_all() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(manager.run_single(data[i : i + 1]) for i in range(len(data)))))

    outputs = asyncio.run(run_all())
    assert [o["reward_score"] for o in outputs] == [0.0, -1.0, 0.0, 0.0]
    assert all(o["reward_extra_info"]["par_timeout"] == 1.0 for o in outputs)
    assert manager.rendezvous.stats().timeouts == 4


def test_missing_pair_fields_name_the_problem(tokenizer_dir: Path) -> None:
    manager = load_reward_manager(make_config(tokenizer_dir), build_tiny_tokenizer())
    data = data_proto(build_tiny_tokenizer(), rows_for({"a": ([5.0], [4.0])}))
    data.non_tensor_batch["extra_info"][0] = {"index": 0}
    with pytest.raises(KeyError, match=r"extra_info\.pair_id and extra_info\.role"):
        asyncio.run(manager.run_single(data[0:1]))


def test_config_check_rejects_split_pairs(tokenizer_dir: Path) -> None:
    from patarm.adapters.verl import PairConfigError, check_verl_config

    config = make_config(tokenizer_dir)
    config.data.shuffle = True
    config.data.train_batch_size = 5
    config.trainer.test_freq = 10
    config.actor_rollout_ref.rollout.val_kwargs.n = 1
    config.data.val_files = "val.parquet"
    with pytest.raises(PairConfigError) as err:
        check_verl_config(config)
    text = str(err.value)
    assert "data.shuffle=True" in text and "train_batch_size=5" in text and "val_kwargs.n=1" in text
