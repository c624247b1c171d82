"""epoch_pairs: its defaults, its errors, and how ranks split and pad an epoch's order."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.sampling import PairSampler, epoch_pairs, pair_rows


@given(st.integers(1, 40), st.integers(0, 50))
def test_defaults_are_one_shuffled_replica_seed_zero(num_pairs: int, epoch: int) -> None:
    default = epoch_pairs(num_pairs, epoch=epoch)
    explicit = epoch_pairs(num_pairs, epoch=epoch, shuffle=True, seed=0, num_replicas=1, rank=0, drop_last=False)
    assert default == explicit
    assert sorted(default) == list(range(num_pairs))


def test_default_order_is_shuffled_and_seeded() -> None:
    assert epoch_pairs(20, epoch=0) != list(range(20))
    assert epoch_pairs(20, epoch=0) != epoch_pairs(20, epoch=0, seed=1)
    assert epoch_pairs(20, epoch=0) != epoch_pairs(20, epoch=1)
    assert epoch_pairs(20, epoch=3, shuffle=False) == list(range(20))
    # default replicas pad rather than drop: 5 pairs over 2 ranks is 3 each
    assert len(epoch_pairs(5, epoch=0, num_replicas=2)) == 3
    assert len(epoch_pairs(5, epoch=0, num_replicas=2, drop_last=True)) == 2


@given(st.integers(1, 30), st.integers(1, 8), st.integers(0, 5), st.booleans(), st.booleans())
def test_ranks_split_one_order(num_pairs: int, replicas: int, epoch: int, drop_last: bool, shuffle: bool) -> None:
    order = epoch_pairs(num_pairs, epoch=epoch, shuffle=shuffle, seed=7)
    per_rank = num_pairs // replicas if drop_last else math.ceil(num_pairs / replicas)
    total = per_rank * replicas
    padded = (order * math.ceil(total / num_pairs))[:total]
    kw = {"epoch": epoch, "shuffle": shuffle, "seed": 7, "num_replicas": replicas, "drop_last": drop_last}
    ranks = [epoch_pairs(num_pairs, rank=r, **kw) for r in range(replicas)]  # type: ignore[arg-type]
    assert all(len(r) == per_rank for r in ranks)
    assert [ranks[i % replicas][i // replicas] for i in range(total)] == padded


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_pairs": -1}, r"^num_pairs must be >= 0, got -1$"),
        ({"num_replicas": 0}, r"^num_replicas must be >= 1, got 0$"),
        ({"num_replicas": 3, "rank": 3}, r"^rank must be in \[0, 2\], got 3$"),
        ({"rank": -1}, r"^rank must be in \[0, 0\], got -1$"),
        ({"seed": -1}, r"^seed and epoch must be >= 0, got seed=-1, epoch=0$"),
        ({"epoch": -2}, r"^seed and epoch must be >= 0, got seed=0, epoch=-2$"),
    ],
)
def test_bad_arguments_are_errors_that_say_the_range(kwargs: dict[str, int], message: str) -> None:
    args = {"num_pairs": 4, "epoch": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        epoch_pairs(**args)  # type: ignore[arg-type]


def test_pair_rows_errors_name_the_rows() -> None:
    with pytest.raises(ValueError, match=r"^pair_ids is empty: there are no pairs to group$"):
        pair_rows([])
    with pytest.raises(ValueError, match=r"^pair id 'x' names 6 row\(s\) \(0, 1, 2, 3, 4, \.\.\.\); each pair id"):
        pair_rows(["x"] * 6)
    with pytest.raises(ValueError, match=r"^pair id 'x' names 5 row\(s\) \(0, 1, 2, 3, 4\); each pair id"):
        pair_rows(["x"] * 5)
    one_each = "each pair needs exactly one row per side$"
    with pytest.raises(ValueError, match=r"^pair id 'y': both rows \(0, 1\) are rejected; " + one_each):
        pair_rows(["y", "y"], ["rejected", "rejected"])
    with pytest.raises(ValueError, match=r"^pair id 'y': both rows \(0, 1\) are chosen; " + one_each):
        pair_rows(["y", "y"], [True, True])


def test_a_new_sampler_starts_at_epoch_zero() -> None:
    sampler = PairSampler(["a", "b", "a", "b", "c", "c"])
    assert sampler.epoch == 0
    assert [r for pos in epoch_pairs(3, epoch=0) for r in sampler.rows[pos]] == list(sampler)


def test_a_sampler_pads_by_default() -> None:
    sampler = PairSampler(["a", "a", "b", "b", "c", "c"], num_replicas=2, rank=1)
    assert sampler.num_pairs == 2 and len(sampler) == 4
