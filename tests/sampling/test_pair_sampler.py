from __future__ import annotations

import pickle

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from patarm.sampling import PairSampler, chosen_mask, epoch_pairs, normalize_role, pair_rows


@st.composite
def paired_rows(draw: st.DrawFn, min_pairs: int = 1, max_pairs: int = 30) -> tuple[list[str], list[str]]:
    """Rows of ``n`` pairs in a random row order, with roles; returns (pair_ids, roles)."""
    n = draw(st.integers(min_pairs, max_pairs))
    rows = [(f"p{k}", role) for k in range(n) for role in ("chosen", "rejected")]
    rows = draw(st.permutations(rows))
    return [r[0] for r in rows], [r[1] for r in rows]


def pairs_of(sampler: PairSampler, ids: list[str], roles: list[str]) -> list[str]:
    """Check adjacency and chosen-first, and return the pair ids in visiting order."""
    order = list(sampler)
    assert len(order) == len(sampler) and len(order) % 2 == 0
    visited = []
    for first, second in zip(order[0::2], order[1::2], strict=True):
        assert ids[first] == ids[second]
        assert (roles[first], roles[second]) == ("chosen", "rejected")
        visited.append(ids[first])
    return visited


@given(paired_rows(), st.integers(0, 2**32), st.integers(0, 1000))
def test_each_pair_once_adjacent_chosen_first(rows: tuple[list[str], list[str]], seed: int, epoch: int) -> None:
    ids, roles = rows
    sampler = PairSampler(ids, roles, seed=seed)
    sampler.set_epoch(epoch)
    visited = pairs_of(sampler, ids, roles)
    assert sorted(visited) == sorted(set(ids))


@given(paired_rows(min_pairs=10), st.integers(0, 2**32), st.integers(0, 1000))
def test_order_depends_on_seed_and_epoch_only(rows: tuple[list[str], list[str]], seed: int, epoch: int) -> None:
    ids, roles = rows
    a, b = PairSampler(ids, roles, seed=seed), PairSampler(ids, roles, seed=seed)
    a.set_epoch(epoch)
    b.set_epoch(epoch)
    assert list(a) == list(b) == list(a)
    b.set_epoch(epoch + 1)
    assert list(a) != list(b)  # 10+ pairs: a repeat has chance below 1 in 3.6 million


@given(paired_rows(), st.integers(1, 8), st.booleans(), st.integers(0, 50))
def test_ranks_get_disjoint_whole_pairs_covering_all(
    rows: tuple[list[str], list[str]], replicas: int, drop_last: bool, epoch: int
) -> None:
    ids, roles = rows
    num_pairs = len(set(ids))
    per_rank = []
    for rank in range(replicas):
        sampler = PairSampler(ids, roles, seed=3, num_replicas=replicas, rank=rank, drop_last=drop_last)
        sampler.set_epoch(epoch)
        per_rank.append(pairs_of(sampler, ids, roles))
    sizes = {len(p) for p in per_rank}
    assert len(sizes) == 1  # every rank takes the same number of steps
    flat = [p for rank_pairs in per_rank for p in rank_pairs]
    if drop_last or num_pairs % replicas == 0:
        assert len(flat) == len(set(flat))  # disjoint
        assert len(flat) == num_pairs - (num_pairs % replicas if drop_last else 0)
    else:
        assert set(flat) == set(ids)  # padded: every pair, a few twice
        assert len(flat) - len(set(flat)) == replicas - num_pairs % replicas


def test_roles_from_row_order_and_unshuffled_order() -> None:
    sampler = PairSampler(["b", "a", "a", "b"], shuffle=False)
    assert list(sampler) == [0, 3, 1, 2]
    assert PairSampler(["b", "a", "a", "b"], [False, True, False, True], shuffle=False).rows == [(3, 0), (1, 2)]


@pytest.mark.parametrize(
    ("ids", "roles", "message"),
    [
        (["a", "a", "b"], None, r"pair id 'b' names 1 row\(s\) \(2\)"),
        (["a", "a", "a", "b", "b"], None, r"pair id 'a' names 3 row\(s\) \(0, 1, 2\)"),
        (["a", "a"], ["chosen", "chosen"], r"pair id 'a': both rows \(0, 1\) are chosen"),
        (["a", "a"], ["chosen", "best"], r"roles\[1\]: expected 'chosen' or 'rejected'"),
        (["a", "a"], ["chosen"], r"roles: expected 2 entries"),
        ([], None, "pair_ids is empty: there are no pairs"),
        ([["x"], ["x"]], None, r"pair_ids\[0\]: expected a hashable id"),
    ],
)
def test_malformed_input_names_the_id(ids: list[object], roles: list[object] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PairSampler(ids, roles)  # type: ignore[arg-type]


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="rank must be in"):
        PairSampler(["a", "a"], num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas"):
        epoch_pairs(3, epoch=0, num_replicas=0)
    with pytest.raises(ValueError, match="epoch must be"):
        PairSampler(["a", "a"]).set_epoch(-1)


def test_real_dataloader_batches_hold_whole_pairs() -> None:
    ids = [f"p{k // 2}" for k in range(24)]
    ids_tensor = torch.tensor([int(i[1:]) for i in ids])
    roles = torch.tensor([k % 2 for k in range(24)])  # 0 = chosen row first
    loader = DataLoader(TensorDataset(ids_tensor, roles), batch_size=6, sampler=PairSampler(ids, seed=1))
    seen = []
    for pair_col, role_col in loader:
        assert pair_col[0::2].tolist() == pair_col[1::2].tolist()
        assert role_col.tolist() == [0, 1] * 3
        seen += pair_col[0::2].tolist()
    assert sorted(seen) == list(range(12))


def test_pickles_with_its_state() -> None:
    sampler = PairSampler(["a", "b", "a", "b", "c", "c"], seed=9)
    sampler.set_epoch(4)
    clone = pickle.loads(pickle.dumps(sampler))
    assert list(clone) == list(sampler)


def test_pair_rows_is_torch_free() -> None:
    assert pair_rows(["x", "y", "y", "x"]) == (["x", "y"], [(0, 3), (1, 2)])


@given(paired_rows(), st.integers(0, 2**31))
def test_pair_rows_find_both_rows_in_any_order_and_case(rows: tuple[list[str], list[str]], seed: int) -> None:
    ids, roles = rows
    spelled = [r.upper() if (seed >> (i % 31)) & 1 else f" {r}" for i, r in enumerate(roles)]
    keys, groups = pair_rows(ids, spelled)
    assert sorted(keys) == sorted(set(ids)) and len(groups) == len(keys)  # type: ignore[type-var]
    for key, (chosen, rejected) in zip(keys, groups, strict=True):
        assert ids[chosen] == ids[rejected] == key
        assert (roles[chosen], roles[rejected]) == ("chosen", "rejected")


def test_pair_rows_key_by_source_and_drop_incomplete_pairs() -> None:
    # the same id under two data sources is two pairs, as in the paper's (source, id) key
    assert pair_rows(["x"] * 4, ["chosen", "rejected"] * 2, ["a", "a", "b", "b"])[1] == [(0, 1), (2, 3)]
    keys, groups = pair_rows(["x", "y", "y"], ["chosen", "rejected", "chosen"], drop_incomplete=True)
    assert (keys, groups) == (["y"], [(2, 1)])
    with pytest.raises(ValueError, match=r"pair id 'x' names 1 row\(s\) \(0\)"):
        pair_rows(["x"], ["chosen"])


@given(st.integers(0, 50), st.integers(0, 5), st.integers(0, 2**31))
def test_epoch_order_is_a_seeded_permutation(num_pairs: int, epoch: int, seed: int) -> None:
    order = epoch_pairs(num_pairs, epoch=epoch, seed=seed)
    assert sorted(order) == list(range(num_pairs))
    assert order == epoch_pairs(num_pairs, epoch=epoch, seed=seed)


def test_epochs_and_seeds_change_the_order() -> None:
    assert len({tuple(epoch_pairs(30, epoch=e, seed=s)) for e in range(3) for s in range(3)}) == 9


@pytest.mark.parametrize(
    ("roles", "expected"),
    [(["chosen", "rejected"], [True, False]), ([" Chosen", "REJECTED"], [True, False]), ([False, True], [False, True])],
)
def test_chosen_mask_reads_roles_as_normalize_role_does(roles: list[object], expected: list[bool]) -> None:
    assert chosen_mask(roles, 2).tolist() == expected
    assert [normalize_role(r) == "chosen" for r in roles] == expected


def test_chosen_mask_names_a_bad_role() -> None:
    with pytest.raises(ValueError, match=r"roles\[1\]: expected 'chosen' or 'rejected'"):
        chosen_mask(["chosen", "winner"], 2)


def test_pair_sampler_loads_on_first_use() -> None:
    import patarm.sampling
    from patarm.sampling import _sampler

    assert patarm.sampling.PairSampler is _sampler.PairSampler
    with pytest.raises(AttributeError, match="has no attribute 'pairsampler'"):
        patarm.sampling.pairsampler  # noqa: B018
