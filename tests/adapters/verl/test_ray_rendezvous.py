"""The named-actor rendezvous on a local Ray instance: verl's RewardLoopManager starts two
reward-loop worker actors, splits the batch between them (each pair's sides land on
different workers), and every trajectory still gets the core's PAR reward."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from patarm.rewards import PARSettings
from patarm.testing.tiny import build_tiny_tokenizer

from verl_batches import PAIRS, data_proto, expected, make_config, rows_for, valid_lengths

ray = pytest.importorskip("ray", reason="the verl extra (ray) is not installed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, namespace="patarm-tests")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tok")
    build_tiny_tokenizer().save_pretrained(path)
    return path


def test_actor_rendezvous_across_processes(local_ray: None) -> None:
    from patarm.rendezvous.ray_actor import get_or_create

    rv = get_or_create(PARSettings(rollouts_per_side=2, timeout_s=60), name="t-across")

    @ray.remote
    def side(role: str, scores: list[float | None]) -> list[float]:
        import asyncio

        from patarm.rendezvous.ray_actor import get_or_create

        handle = get_or_create(
            PARSettings(rollouts_per_side=2, timeout_s=60), name="t-across"
        )  # found by name in this worker

        async def main() -> list[float]:
            return [r.reward for r in await asyncio.gather(*(handle.asubmit("p", role, s) for s in scores))]

        return asyncio.run(main())

    chosen, rejected = ray.get([side.remote("chosen", [9.0, None]), side.remote("rejected", [3.0, 9.0])])
    from patarm.rewards import total_rewards

    assert (chosen, rejected) == tuple(map(list, total_rewards([9.0, None], [3.0, 9.0])))
    assert rv.stats().resolved_pairs == 1


def test_actor_timeout_and_settings_mismatch(local_ray: None) -> None:
    from patarm.rendezvous.ray_actor import get_or_create

    rv = get_or_create(PARSettings(rollouts_per_side=2, timeout_s=0.3), name="t-timeout")
    out = rv.submit("alone", "chosen", 6.0)
    assert out.timed_out and out.reward == 0.0
    assert rv.stats().timeouts == 1
    with pytest.raises(ValueError, match="already runs with settings"):
        get_or_create(PARSettings(rollouts_per_side=4, timeout_s=0.3), name="t-timeout")


def test_verl_reward_loop_manager_two_workers(local_ray: None, tokenizer_dir: Path) -> None:
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    config = make_config(tokenizer_dir, rendezvous="ray", actor_name="t-verl")
    config.reward.num_workers = 2
    manager = RewardLoopManager(config)
    # Side-major order: worker 0 gets every chosen side, worker 1 every rejected side.
    rows = rows_for(PAIRS)
    by_side = [r for r in rows if r["role"] == "chosen"] + [r for r in rows if r["role"] == "rejected"]
    data = data_proto(build_tiny_tokenizer(), by_side)
    out = manager.compute_rm_score(data)
    want = dict(zip([(r["pair_id"], r["role"], id(r)) for r in rows], expected(PAIRS), strict=True))
    got = out.batch["rm_scores"].sum(dim=1).tolist()
    assert got == [want[(r["pair_id"], r["role"], id(r))] for r in by_side]
    last = valid_lengths(data) - 1
    assert all(out.batch["rm_scores"][i, int(last[i])].item() == got[i] for i in range(len(data)))
    assert out.non_tensor_batch["par_timeout"].sum() == 0
    assert "par_pair_correct" in out.meta_info["reward_extra_keys"]


def test_streaming_reward_calls_to_random_workers(local_ray: None, tokenizer_dir: Path) -> None:
    """As verl's agent loop does with streaming rewards: each trajectory is sent on its own to
    a randomly chosen reward-loop worker (``compute_score.remote``), all steps in flight at once."""
    import random

    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    config = make_config(tokenizer_dir, rendezvous="ray", actor_name="t-stream")
    config.reward.num_workers = 2
    manager = RewardLoopManager(config)
    rows = rows_for(PAIRS)
    data = data_proto(build_tiny_tokenizer(), rows)
    rng = random.Random(0)
    refs = [rng.choice(manager.reward_loop_workers).compute_score.remote(data[i : i + 1]) for i in range(len(data))]
    outputs = ray.get(refs, timeout=120)
    assert [o["reward_score"] for o in outputs] == expected(PAIRS)
    assert sum(o["reward_extra_info"]["par_timeout"] for o in outputs) == 0
