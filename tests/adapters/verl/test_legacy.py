"""The legacy batch manager (verl.workers.reward_manager registry) on real DataProto
batches: rewards equal the core's batch PAR, placed on the last valid response token."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.testing.tiny import build_tiny_tokenizer

from verl_batches import PAIRS, data_proto, expected, rows_for, valid_lengths

pytest.importorskip("verl.workers.reward_manager")

from verl.workers.reward_manager import get_reward_manager_cls

TOKENIZER = build_tiny_tokenizer()


def test_registered_as_patarm_pair() -> None:
    from patarm.adapters.verl import PairRewardManager

    assert get_reward_manager_cls("patarm_pair") is PairRewardManager


def test_batch_rewards_on_last_valid_token() -> None:
    manager = get_reward_manager_cls("patarm_pair")(TOKENIZER, num_examine=0, rollouts_per_side=4)
    rows = rows_for(PAIRS)
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    data = data_proto(TOKENIZER, [rows[i] for i in order])
    out = manager(data, return_dict=True)
    tensor = out["reward_tensor"]
    want = expected(PAIRS)
    last = valid_lengths(data) - 1
    for i, j in enumerate(order):
        assert tensor[i, int(last[i])].item() == pytest.approx(want[j])
        assert tensor[i].count_nonzero().item() <= 1
    assert out["reward_extra_info"]["par_malformed"].sum() == 7
    assert out["reward_extra_info"]["par_incomplete"].sum() == 0
    assert manager.last_stats["par/num_pairs"] == len(PAIRS)


score = st.one_of(st.none(), st.integers(1, 10).map(float))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(score, min_size=1, max_size=3), st.lists(score, min_size=0, max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_batch_equals_core_and_counts_missing_sides(sides) -> None:
    pairs = {f"q{k}": (c, r) for k, (c, r) in enumerate(sides)}
    manager = get_reward_manager_cls("patarm_pair")(TOKENIZER, num_examine=0)
    rows = rows_for(pairs)
    out = manager(data_proto(TOKENIZER, rows), return_dict=True)
    got = out["reward_tensor"].sum(dim=1).tolist()
    from patarm.rewards import total_rewards

    want = []
    for c, r in pairs.values():
        wc, wr = total_rewards(c, r) if r else ([0.0 + (-1.0 if s is None else 0.0) for s in c], [])
        want += wc + wr
    assert got == pytest.approx(want)
    missing = sum(len(c) for c, r in pairs.values() if not r)
    assert out["reward_extra_info"]["par_incomplete"].sum() == missing
