"""Pure pieces of the verl adapter: pair grouping of rows and the per-epoch pair order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.adapters.verl import PairConfigError, PARSettings, pair_epoch_order, pair_row_groups


@given(st.integers(0, 50), st.integers(0, 5), st.integers(0, 2**31))
def test_epoch_order_is_a_seeded_permutation(num_pairs: int, epoch: int, seed: int) -> None:
    order = pair_epoch_order(num_pairs, epoch, seed)
    assert sorted(order.tolist()) == list(range(num_pairs))
    assert order.tolist() == pair_epoch_order(num_pairs, epoch, seed).tolist()


def test_epochs_and_seeds_change_the_order() -> None:
    orders = {tuple(pair_epoch_order(30, e, s).tolist()) for e in range(3) for s in range(3)}
    assert len(orders) == 9


@given(st.integers(1, 20), st.integers(0, 2**31))
def test_groups_find_both_rows_of_every_pair_in_any_row_order(num_pairs: int, seed: int) -> None:
    rows = [(f"p{i}", role) for i in range(num_pairs) for role in ("chosen", "rejected")]
    random.Random(seed).shuffle(rows)
    groups = pair_row_groups([p for p, _ in rows], [r for _, r in rows])
    assert len(groups) == num_pairs
    for chosen, rejected in groups:
        assert rows[chosen][0] == rows[rejected][0]
        assert (rows[chosen][1], rows[rejected][1]) == ("chosen", "rejected")


def test_groups_name_a_bad_pair() -> None:
    with pytest.raises(ValueError, match=r"pair 'x': only a chosen row \(row 0\)"):
        pair_row_groups(["x"], ["chosen"])
    with pytest.raises(ValueError, match=r"row 1: pair 'x' has a second chosen row"):
        pair_row_groups(["x", "x"], ["chosen", "chosen"])
    # the same id under two data sources is two pairs, as in the paper's (source, id) key
    assert len(pair_row_groups(["x"] * 4, ["chosen", "rejected"] * 2, ["a", "a", "b", "b"])) == 2


def test_settings_reject_unknown_options() -> None:
    with pytest.raises(PairConfigError, match=r"unknown option\(s\) \['timeout'\]"):
        PARSettings.from_mapping({"timeout": 3}, 8)
    with pytest.raises(PairConfigError, match=r"delta: expected one of \('graded', 'constant'\)"):
        PARSettings.from_mapping({"delta": "linear"}, 8)
    assert PARSettings.from_mapping({"rollouts_per_side": 4, "delta": "constant"}, 8).rollouts_per_side == 4
