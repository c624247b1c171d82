"""PairBook invariants: rewards equal the core's, extras move no mean, give-ups are counted."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.rendezvous import PairBook
from patarm.rewards import ConstantDelta, GradedDelta, PARSettings, total_rewards
from patarm.sampling import normalize_role

score = st.one_of(st.none(), st.integers(1, 10).map(float), st.floats(1, 10, allow_nan=False))


@st.composite
def pair_batches(draw: st.DrawFn) -> tuple[int, dict[str, tuple[list[float | None], list[float | None]]], int]:
    n = draw(st.integers(1, 4))
    num_pairs = draw(st.integers(1, 5))
    pairs = {
        f"p{i}": (draw(st.lists(score, min_size=n, max_size=n)), draw(st.lists(score, min_size=n, max_size=n)))
        for i in range(num_pairs)
    }
    return n, pairs, draw(st.integers(0, 2**32 - 1))


def _arrivals(pairs: dict[str, tuple[list[float | None], list[float | None]]], seed: int) -> list[tuple[str, str, int]]:
    order = [
        (pid, role, i)
        for pid, (c, r) in pairs.items()
        for role, side in (("chosen", c), ("rejected", r))
        for i in range(len(side))
    ]
    random.Random(seed).shuffle(order)
    return order


@given(pair_batches(), st.sampled_from([GradedDelta(), ConstantDelta(), GradedDelta(1.0, 0.25, 2.0)]), st.booleans())
def test_rewards_equal_core_in_any_arrival_order(batch, delta, use_groups) -> None:
    n, pairs, seed = batch
    book = PairBook(PARSettings(rollouts_per_side=n, delta=delta))
    tickets = {}
    for pid, role, i in _arrivals(pairs, seed):
        side = pairs[pid][0 if role == "chosen" else 1]
        group = f"{pid}-{role}" if use_groups else None
        tickets[(pid, role, i)] = book.add(pid, role, side[i], group)
    got = {key: book.collect(t) for key, t in tickets.items()}
    # A rollout's reward depends only on its score and the partner side: arrival order is irrelevant.
    for pid, (chosen, rejected) in pairs.items():
        want_c, want_r = total_rewards(chosen, rejected, delta)
        assert [got[(pid, "chosen", i)].reward for i in range(n)] == want_c
        assert [got[(pid, "rejected", i)].reward for i in range(n)] == want_r
    assert book.stats().resolved_pairs == len(pairs)
    assert book.stats().open_entries == 0
    assert book.stats().timeouts == book.stats().extras == 0


@given(pair_batches(), st.lists(score, min_size=1, max_size=3), st.booleans())
def test_extras_move_no_mean_and_are_counted(batch, extra_scores, late) -> None:
    n, pairs, _ = batch
    pid, (chosen, rejected) = next(iter(pairs.items()))
    book = PairBook(PARSettings(rollouts_per_side=n))
    tickets = [book.add(pid, "chosen", s, "u-c") for s in chosen]
    extras = []
    if not late:  # extras arrive before the partner side
        extras = [book.add(pid, "chosen", s, "u-c") for s in extra_scores]
    tickets += [book.add(pid, "rejected", s, "u-r") for s in rejected]
    if late:  # padded duplicates after the pair resolved
        extras = [book.add(pid, "chosen", s, "u-c") for s in extra_scores]
    want_c, want_r = total_rewards(chosen, rejected)
    assert [book.collect(t).reward for t in tickets] == want_c + want_r
    chosen_has_mean = any(x is not None for x in chosen)
    for t, s in zip(extras, extra_scores, strict=True):
        got = book.collect(t)
        assert got.extra
        # scored like one more chosen rollout against the same rejected side (no PAR if chosen has no mean)
        want = total_rewards([s], rejected)[0][0] if chosen_has_mean else (-1.0 if s is None else 0.0)
        assert got.reward == want
    assert book.stats().extras == len(extra_scores)


@given(st.integers(1, 4), st.lists(score, min_size=1, max_size=4))
def test_give_up_gets_fallback_and_is_counted(n, scores) -> None:
    book = PairBook(PARSettings(rollouts_per_side=n, fallback_par=0.0))
    scores = scores[:n]
    tickets = [book.add("lonely", "chosen", s) for s in scores]
    assert all(book.result(t) is None for t in tickets)
    outs = [book.give_up(t) for t in tickets]
    assert [o.reward for o in outs] == [-1.0 if s is None else 0.0 for s in scores]
    assert all(o.timed_out for o in outs)
    assert book.stats().timeouts == len(scores)
    assert book.stats().dropped_entries == 1 and book.stats().open_entries == 0
    # the partner arriving later starts a fresh entry (and would wait for its own partner)
    late = book.add("lonely", "rejected", 5.0)
    assert book.result(late) is None and book.stats().open_entries == 1


def test_give_up_after_resolution_returns_the_real_reward() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    c = book.add("p", "chosen", 9.0)
    book.add("p", "rejected", 2.0)
    assert book.give_up(c).reward == 1.0 and book.stats().timeouts == 0


def test_same_pair_twice_with_new_groups_makes_two_entries() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    a = book.add("p", "chosen", 9.0, "step1-c")
    b = book.add("p", "chosen", 1.0, "step2-c")  # the pair again, another step: not an extra
    book.add("p", "rejected", 5.0, "step1-r")
    book.add("p", "rejected", 5.0, "step2-r")
    assert book.collect(a).reward == 1.0 and book.collect(b).reward == 0.0
    assert book.stats().extras == 0 and book.stats().resolved_pairs == 2


def test_the_book_remembers_the_last_4096_resolved_sides() -> None:
    # A late duplicate of a remembered side is an extra; one older than the last 4096
    # resolved sides (2048 pairs with a group on each side) starts a new entry.
    book = PairBook(PARSettings(rollouts_per_side=1))
    for p in range(2049):
        book.add(p, "chosen", 7.0, f"{p}-c")
        book.add(p, "rejected", 3.0, f"{p}-r")
    assert not book.add(0, "rejected", 3.0, "0-r").extra  # forgotten: a new entry
    assert book.add(1, "chosen", 7.0, "1-c").extra  # the oldest side still remembered


@pytest.mark.parametrize(
    "value,expected", [("chosen", "chosen"), (" Rejected", "rejected"), (True, "chosen"), (False, "rejected")]
)
def test_role_spellings(value, expected) -> None:
    assert normalize_role(value) == expected


def test_bad_role_names_the_pair() -> None:
    with pytest.raises(ValueError, match=r"pair 'x'.*expected 'chosen' or 'rejected'"):
        PairBook(PARSettings(rollouts_per_side=1)).add("x", "winner", 3.0)
    with pytest.raises(ValueError, match="expected 'chosen' or 'rejected'"):
        PairBook(PARSettings(rollouts_per_side=1)).add(
            "x", 1, 3.0
        )  # an int is not a role (par_batch reads bools and the two names)
