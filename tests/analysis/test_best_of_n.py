"""Best-of-N: a perfect judge is the oracle, a constant judge is random choice (exactly in
expectation, and on average with seeded tie breaks), failures rank last, ties are counted."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from patarm.analysis import best_of_n_curve, pick

Rows = list[tuple[list[float | None], list[bool]]]


@st.composite
def labels(draw: st.DrawFn) -> list[list[bool]]:
    n = draw(st.integers(1, 6))
    return draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=1, max_size=6))


@given(labels(), st.integers(1, 5), st.integers(0, 999))
def test_a_perfect_judge_equals_the_oracle(correct: list[list[bool]], draws: int, seed: int) -> None:
    rows: Rows = [([float(c) for c in row], row) for row in correct]
    for point in best_of_n_curve(rows, draws=draws, seed=seed):
        assert point["judge"]["value"] == point["expected"]["value"] == point["oracle"]["value"]


@given(labels(), st.floats(1, 10), st.integers(1, 5), st.integers(0, 999))
def test_a_constant_judge_equals_random_choice_in_expectation(
    correct: list[list[bool]], constant: float, draws: int, seed: int
) -> None:
    rows: Rows = [([constant] * len(row), row) for row in correct]
    for point in best_of_n_curve(rows, draws=draws, seed=seed):
        assert abs(point["expected"]["value"] - point["random"]["value"]) < 1e-12
        assert point["ties"] == (point["picks"] if point["n"] > 1 else 0)


def test_a_constant_judge_equals_random_choice_on_average() -> None:
    rng = random.Random(3)
    rows: Rows = []
    for _ in range(300):
        row = [rng.random() < 0.3 for _ in range(6)]
        rows.append(([5.0] * 6, row))
    for point in best_of_n_curve(rows, draws=40, seed=11)[1:]:
        assert abs(point["judge"]["value"] - point["random"]["value"]) < 0.02


@given(labels(), st.lists(st.none() | st.integers(1, 10).map(float), min_size=6, max_size=6), st.integers(0, 99))
def test_the_oracle_bounds_everything_and_one_candidate_is_random_choice(
    correct: list[list[bool]], scores: list[float | None], seed: int
) -> None:
    rows: Rows = [(scores[: len(row)], row) for row in correct]
    curve = best_of_n_curve(rows, draws=3, seed=seed)
    first = curve[0]
    assert first["judge"]["value"] == first["random"]["value"] == first["oracle"]["value"]
    for point in curve:
        for name in ("judge", "expected", "random"):
            assert point[name]["value"] <= point["oracle"]["value"] + 1e-12
    assert curve == best_of_n_curve(rows, draws=3, seed=seed)  # seeded


def test_a_failed_judgment_ranks_below_every_scored_candidate() -> None:
    choice = pick([None, 1.0, None], [True, False, True], [0, 1, 2], random.Random(0))
    assert (choice.index, choice.correct, choice.tied) == (1, False, False)
    all_failed = pick([None, None], [True, False], [0, 1], random.Random(0))
    assert all_failed.tied and all_failed.expected == 0.5


def test_rows_with_fewer_candidates_bound_n() -> None:
    rows: Rows = [([1.0, 2.0, 3.0], [True, True, False]), ([2.0, 1.0], [True, False])]  # any 2 hold a correct one
    curve = best_of_n_curve(rows, draws=2, seed=0)
    assert [p["n"] for p in curve] == [1, 2]
    assert curve[-1]["oracle"]["value"] == 1.0
