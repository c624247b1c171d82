"""Accuracy against k: each k reads the first k samples only, ties and failures are wrong,
and the k-subset average agrees with the first-k figure where it must."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patarm.analysis import pair_correct, subset_accuracy, votes_curve

score = st.none() | st.integers(1, 10).map(float)
rules = st.sampled_from(["mean", "median"])


@st.composite
def runs(draw: st.DrawFn, min_k: int = 1) -> tuple[list[list[float | None]], list[list[float | None]]]:
    k_max = draw(st.integers(min_k, 6))
    n = draw(st.integers(1, 8))
    side = st.lists(st.lists(score, min_size=k_max, max_size=k_max), min_size=n, max_size=n)
    return draw(side), draw(side)


@given(runs(min_k=2), rules, st.data())
def test_accuracy_at_k_reads_only_the_first_k_samples(
    run: tuple[list[list[float | None]], list[list[float | None]]], voting: str, data: st.DataObject
) -> None:
    chosen, rejected = run
    k_max = len(chosen[0])
    k = data.draw(st.integers(1, k_max - 1))
    before = votes_curve(chosen, rejected, voting=voting)
    # rewrite every sample after the k-th: points 1..k stay, whatever the new samples are
    later = st.lists(score, min_size=k_max - k, max_size=k_max - k)
    chosen2 = [a[:k] + data.draw(later) for a in chosen]
    rejected2 = [b[:k] + data.draw(later) for b in rejected]
    after = votes_curve(chosen2, rejected2, voting=voting)
    assert [p["first"] for p in before[:k]] == [p["first"] for p in after[:k]]
    for point in before:
        expected = sum(
            pair_correct(a[: point["k"]], b[: point["k"]], voting) for a, b in zip(chosen, rejected, strict=True)
        )
        assert point["first"]["value"] == expected / len(chosen)
        assert point["first"]["low"] <= point["first"]["value"] <= point["first"]["high"]


@given(st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9)), min_size=1, max_size=6), rules)
def test_a_judge_that_always_scores_the_chosen_side_higher_is_right_at_every_k(
    gaps: list[tuple[int, int]], voting: str
) -> None:
    # sample j: rejected scores low_j, chosen scores low_j + gap_j (gap >= 1): every vote agrees
    chosen = [[float(low + gap) for low, gap in gaps]]
    rejected = [[float(low) for low, _ in gaps]]
    assert [p["first"]["value"] for p in votes_curve(chosen, rejected, voting=voting)] == [1.0] * len(gaps)


def test_ties_and_failed_sides_are_wrong() -> None:
    assert not pair_correct([5.0, 5.0], [5.0, 5.0])  # tie
    assert not pair_correct([9.0, None], [None, None])  # rejected side failed
    assert not pair_correct([None], [1.0])  # chosen side failed
    assert pair_correct([9.0, None], [2.0, None])  # a malformed sample is skipped, not a zero
    curve = votes_curve([[8.0, None, 2.0]], [[None, 3.0, 9.0]])
    assert [p["first"]["value"] for p in curve] == [0.0, 1.0, 0.0]


@given(runs(), rules, st.integers(1, 5), st.integers(0, 2**16))
def test_subset_average_at_k_max_equals_the_first_k_figure(
    run: tuple[list[list[float | None]], list[list[float | None]]], voting: str, draws: int, seed: int
) -> None:
    chosen, rejected = run
    curve = votes_curve(chosen, rejected, voting=voting, draws=draws, seed=seed)
    last = curve[-1]
    assert last["subsets"]["value"] == last["first"]["value"]  # one k_max-subset: all of them
    for point in curve:
        assert 0.0 <= point["subsets"]["value"] <= 1.0
        assert point["subsets"]["low"] <= point["subsets"]["value"] <= point["subsets"]["high"]


@given(st.lists(st.tuples(score, score), min_size=1, max_size=8), st.integers(1, 6), rules, st.integers(0, 99))
def test_with_the_same_score_in_every_sample_subsets_change_nothing(
    responses: list[tuple[float | None, float | None]], k_max: int, voting: str, seed: int
) -> None:
    chosen = [[a] * k_max for a, _ in responses]
    rejected = [[b] * k_max for _, b in responses]
    for point in votes_curve(chosen, rejected, voting=voting, draws=3, seed=seed):
        assert (
            point["subsets"]["value"] == point["first"]["value"] == votes_curve(chosen, rejected)[0]["first"]["value"]
        )


def test_subset_average_is_seeded_and_reads_other_samples_than_the_first() -> None:
    chosen, rejected = [[1.0, 9.0, 9.0, 9.0]], [[5.0, 5.0, 5.0, 5.0]]
    assert votes_curve(chosen, rejected)[0]["first"]["value"] == 0.0  # the first sample is the unlucky one
    shares = subset_accuracy(chosen, rejected, 1, draws=400, seed=7)
    assert shares == subset_accuracy(chosen, rejected, 1, draws=400, seed=7)
    assert 0.6 < shares[0] < 0.9  # 3 of the 4 single samples are right
