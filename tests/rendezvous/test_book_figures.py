"""PairBook edges: extras on either side, the same pair twice, numpy bool roles, NaN scores,
the per-rollout figures stacks log (``to_info``), and that collected entries are released."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.rendezvous import PairBook, RolloutReward, fallback_reward
from patarm.rewards import FormatReward, GradedDelta, PARSettings, par_rewards, total_rewards

from strategies import reference_mean

score = st.one_of(st.none(), st.integers(1, 10).map(float), st.floats(1, 10, allow_nan=False))
ROLE_SPELLINGS = {
    "chosen": ["chosen", True, np.True_, " Chosen"],
    "rejected": ["rejected", False, np.False_, "REJECTED"],
}


def _sorted_sum_mean(values: list[float]) -> float:
    total = 0.0
    for v in sorted(values):
        total += v
    return total / len(values)


@st.composite
def pairs_with_extras(draw: st.DrawFn):
    n = draw(st.integers(1, 4))
    chosen = draw(st.lists(score, min_size=n, max_size=n))
    rejected = draw(st.lists(score, min_size=n, max_size=n))
    extra_c = draw(st.lists(score, max_size=2))
    extra_r = draw(st.lists(score, max_size=2))
    return n, chosen, rejected, extra_c, extra_r, draw(st.integers(0, 2**32 - 1))


@given(pairs_with_extras(), st.booleans())
def test_every_figure_of_every_rollout(case, nan_for_none: bool) -> None:
    n, chosen, rejected, extra_c, extra_r, seed = case
    rnd = random.Random(seed)
    fmt = FormatReward(malformed=-1.5, well_formed=0.25)
    delta = GradedDelta(1.0, 0.25, 2.0)
    book = PairBook(PARSettings(rollouts_per_side=n, delta=delta, malformed=fmt.malformed, well_formed=fmt.well_formed))
    # first n of each side in any order, then the extras (a full side's later rollouts)
    firsts = [("chosen", i, s, False) for i, s in enumerate(chosen)]
    firsts += [("rejected", i, s, False) for i, s in enumerate(rejected)]
    rnd.shuffle(firsts)
    extras = [("chosen", i, s, True) for i, s in enumerate(extra_c)]
    extras += [("rejected", i, s, True) for i, s in enumerate(extra_r)]
    rnd.shuffle(extras)
    tickets = {}
    for role, i, s, is_extra in firsts + extras:
        given_score = math.nan if (s is None and nan_for_none) else s
        key = (role, i, is_extra)
        spelled = rnd.choice(ROLE_SPELLINGS[role])
        tickets[key] = book.add("p", spelled, given_score, "c" if role == "chosen" else "r")
    m_c, m_r = reference_mean(chosen), reference_mean(rejected)
    complete = m_c is not None and m_r is not None
    totals = total_rewards(chosen, rejected, delta, fmt)
    pars = par_rewards(chosen, rejected, delta)
    got = {key: book.collect(t) for key, t in tickets.items()}
    for side_index, (role, scores, own, partner) in enumerate(
        (("chosen", chosen, m_c, m_r), ("rejected", rejected, m_r, m_c))
    ):
        for i, s in enumerate(scores):
            r = got[(role, i, False)]
            assert r == RolloutReward(
                reward=totals[side_index][i],
                par=pars[side_index][i],
                format=fmt(s),
                score=s,
                partner_mean=partner,
                own_mean=own,
                pair_correct=float(complete and m_c > m_r),
                margin=(m_c - m_r) if complete else 0.0,
                side_mean_reward=_sorted_sum_mean(totals[side_index]),
            )
            info = r.to_info("x/")
            assert info["x/reward"] == r.reward and info["x/par"] == r.par and info["x/format"] == r.format
            assert info["x/malformed"] == float(s is None) and info["x/extra"] == 0.0 and info["x/timeout"] == 0.0
            assert math.isnan(info["x/score"]) if s is None else info["x/score"] == s
            assert info["x/pair_correct"] == r.pair_correct and info["x/margin"] == r.margin
    for role, scores, own, partner in (("chosen", extra_c, m_c, m_r), ("rejected", extra_r, m_r, m_c)):
        for i, s in enumerate(scores):
            r = got[(role, i, True)]
            par = par_rewards([s], rejected, delta)[0][0] if role == "chosen" else par_rewards(chosen, [s], delta)[1][0]
            par = par if own is not None else 0.0
            assert r.extra and not r.timed_out and r.to_info()["par_extra"] == 1.0
            assert (r.reward, r.par, r.format, r.score) == (par + fmt(s), par, fmt(s), s)
            assert (r.own_mean, r.partner_mean, r.side_mean_reward) == (own, partner, None)
            assert r.margin == ((m_c - m_r) if complete else 0.0)
    stats = book.stats()
    assert stats.extras == len(extra_c) + len(extra_r)
    assert stats.arrivals == len(tickets) and stats.resolved_pairs == 1
    assert stats.open_entries == 0 and stats.timeouts == stats.dropped_entries == 0
    # every arrival collected: the book holds nothing more for any of them
    assert all(book.result(t) is None for t in tickets.values())


def test_same_pair_twice_without_groups_fills_entries_in_arrival_order() -> None:
    book = PairBook(PARSettings(rollouts_per_side=2))
    first = [book.add("p", "chosen", s) for s in (9.0, 8.0)]
    second = [book.add("p", "chosen", s) for s in (1.0, 2.0)]  # the pair again: a second entry
    assert book.stats().open_entries == 2 and book.stats().extras == 0
    rejected = [book.add("p", "rejected", 5.0) for _ in range(4)]
    assert [book.collect(t).reward for t in first + second] == [1.0, 1.0, 0.0, 0.0]
    assert [book.collect(t).reward for t in rejected] == [1.0, 1.0, 0.0, 0.0]
    assert book.stats().resolved_pairs == 2 and book.stats().open_entries == 0


def test_same_pair_twice_under_one_group_is_an_extra_after_resolution() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    c = book.add("p", "chosen", 9.0, "u1")
    r = book.add("p", "rejected", 3.0, "u2")
    again = book.add("p", "rejected", 8.0, "u2")  # a padded duplicate of the resolved side
    late = book.add("p", "chosen", 1.0, "u1")
    assert again.extra and late.extra
    assert book.result(again).reward == 0.5 and book.result(late).reward == 0.0  # 9 - 8 = 1 <= 2: low
    assert (book.collect(c).reward, book.collect(r).reward) == (1.0, 1.0)
    assert book.stats().extras == 2 and book.stats().resolved_pairs == 1


def test_resolved_sides_are_remembered_up_to_keep_resolved() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1), keep_resolved=2)
    for pid in ("a", "b"):
        book.add(pid, "chosen", 9.0, f"{pid}c")
        book.add(pid, "rejected", 1.0, f"{pid}r")
    # four sides resolved, two kept (the newest): b's sides count a duplicate as an extra, a's start over
    assert book.add("b", "chosen", 9.0, "bc").extra
    assert not book.add("a", "chosen", 9.0, "ac").extra
    assert book.stats().open_entries == 1


def test_give_up_releases_only_when_nobody_waits() -> None:
    book = PairBook(PARSettings(rollouts_per_side=2))
    a = book.add("p", "chosen", 9.0)
    b = book.add("p", "chosen", None)
    first = book.give_up(a)
    assert first.timed_out and first.reward == 0.0 and first.score == 9.0
    assert book.stats().dropped_entries == 0 and book.stats().open_entries == 1  # b still waits
    second = book.give_up(b)
    assert second.reward == -1.0 and second.score is None and second.to_info()["par_timeout"] == 1.0
    assert book.stats().dropped_entries == 1 and book.stats().open_entries == 0 and book.stats().timeouts == 2


def test_fallback_par_goes_to_well_formed_rollouts_only() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1, fallback_par=0.3))
    good, bad = book.add("p", "chosen", 4.0), book.add("q", "rejected", math.nan)
    assert book.give_up(good).reward == 0.3
    assert book.give_up(bad).reward == -1.0
    assert book.stats().to_metrics("r/") == {
        "r/arrivals": 2.0,
        "r/resolved_pairs": 0.0,
        "r/extras": 0.0,
        "r/timeouts": 2.0,
        "r/dropped_entries": 2.0,
        "r/open_entries": 0.0,
    }


def test_an_extra_that_gives_up_keeps_its_own_score() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    book.add("p", "chosen", 9.0, "u")
    extra = book.add("p", "chosen", None, "u")  # the chosen side is full: an extra, still open
    out = book.give_up(extra)
    assert out.extra and out.timed_out and out.score is None and out.reward == -1.0


def test_fallback_reward_defaults_and_metric_names() -> None:
    out = fallback_reward(4.0, FormatReward())
    assert out == RolloutReward(0.0, 0.0, 0.0, 4.0, None, None, 0.0, 0.0, timed_out=True, extra=False)
    assert (
        fallback_reward(None, FormatReward(), 0.7).par == 0.0 and fallback_reward(4.0, FormatReward(), 0.7).par == 0.7
    )
    assert sorted(out.to_info()) == [
        "par_extra",
        "par_format",
        "par_malformed",
        "par_margin",
        "par_pair_correct",
        "par_par",
        "par_reward",
        "par_score",
        "par_timeout",
    ]
    assert PairBook(PARSettings(rollouts_per_side=1)).stats().to_metrics()["rendezvous/arrivals"] == 0.0


def test_the_book_reads_its_settings_and_needs_rollouts_per_side() -> None:
    settings = PARSettings(rollouts_per_side=2, fallback_par=0.3)
    book = PairBook(settings)
    assert book.settings is settings and book.rollouts_per_side == 2 and book.fallback_par == 0.3
    assert book.delta is settings.delta and book.format_reward is settings.format_reward
    with pytest.raises(
        ValueError, match=r"^rollouts_per_side is not set: the rendezvous waits for that many rollouts per side$"
    ):
        PairBook(PARSettings())


def test_extras_are_numbered_per_side_and_name_their_pair() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    book.add("p", "chosen", 9.0, "u1")
    open_extra = book.add("p", "chosen", 7.0, "u1")  # the chosen side is full, the pair still open
    assert (open_extra.pair_id, open_extra.role, open_extra.index, open_extra.extra) == ("p", "chosen", 0, True)
    book.add("p", "rejected", 3.0, "u2")
    late_chosen = book.add("p", "chosen", 8.0, "u1")  # late duplicates of the resolved sides
    late_rejected = book.add("p", "rejected", 2.0, "u2")
    assert (late_chosen.pair_id, late_chosen.role, late_chosen.index) == ("p", "chosen", 1)
    assert (late_rejected.pair_id, late_rejected.role, late_rejected.index) == ("p", "rejected", 0)
    assert book.result(late_chosen).score == 8.0 and book.result(late_rejected).score == 2.0
    assert book.result(open_extra).score == 7.0 and book.stats().extras == 3


def test_a_grouped_rollout_does_not_join_a_side_filled_without_a_group() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    first = book.add("p", "chosen", 9.0)
    grouped = book.add("p", "chosen", 8.0, "u")  # a new entry, not an extra of the group-less one
    assert not grouped.extra and book.stats().open_entries == 2 and book.stats().extras == 0
    book.add("p", "rejected", 1.0, "u")  # joins the first entry, whose rejected side is still empty
    assert book.result(first).reward == 1.0 and book.result(grouped) is None
    assert book.stats().resolved_pairs == 1 and book.stats().open_entries == 1


def test_giving_up_an_arrival_the_book_no_longer_holds_gets_the_malformed_fallback() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1, fallback_par=0.3))
    arrival = book.add("p", "chosen", 9.0)
    assert book.give_up(arrival).reward == 0.3  # its entry is dropped: nobody waits on it
    again = book.give_up(arrival)  # the book no longer knows its score
    assert again.score is None and again.par == 0.0 and again.reward == -1.0 and again.timed_out
    assert book.stats().timeouts == 2 and book.stats().dropped_entries == 1
