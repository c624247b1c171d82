"""Error texts and small outputs of the pure core that users read or log."""

from __future__ import annotations

import math

import numpy as np
import pytest

from patarm.eval import RowScores, score_rewardbench2
from patarm.rendezvous import PairBook
from patarm.rewards import ConstantDelta, PARSettings, apply_delta, pair_index, par_batch, par_rewards
from patarm.sampling import PairSampler, epoch_pairs, normalize_role
from patarm.voting import expected_score, mean_vote


def test_role_error_without_a_place() -> None:
    with pytest.raises(
        ValueError, match=r"^role: expected 'chosen' or 'rejected' \(or a bool, True = chosen\), got 'x'$"
    ):
        normalize_role("x")


def test_tickets_name_their_pair_and_place() -> None:
    book = PairBook(PARSettings(rollouts_per_side=1))
    first = book.add("p", "chosen", 9.0, "u")
    assert (first.pair_id, first.role, first.index, first.extra) == ("p", "chosen", 0, False)
    book.add("p", "rejected", 1.0, "v")
    late = book.add("p", "chosen", 8.0, "u")
    assert (late.pair_id, late.index, late.extra) == ("p", 0, True)
    out = book.collect(late)
    assert out is not None and out.pair_correct == 1.0 and out.margin == 8.0


def test_missing_side_names_the_right_pair_and_the_fix() -> None:
    message = (
        r"^pair 'r' has no rejected rollout in this batch: both sides of a pair must be scored together "
        r"\(use a pair-preserving sampler, or allow_missing_side=True\)$"
    )
    with pytest.raises(ValueError, match=message):
        par_batch([1.0, 2.0, 3.0, 4.0, 5.0], ["p", "p", "q", "q", "r"], ["chosen", "rejected"] * 2 + ["chosen"])


def test_empty_batch_rates_are_zero() -> None:
    stats = par_batch([], [], []).stats
    assert (stats.malformed_rate, stats.mean_par, stats.mean_total, stats.num_pairs) == (0.0, 0.0, 0.0, 0)


def test_two_dimensional_float_scores_are_flattened() -> None:
    out = par_batch(np.array([[9.0, 2.0], [7.0, 8.0]]), ["p", "p", "q", "q"], ["chosen", "rejected"] * 2)
    assert out.par.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_per_pair_errors_name_the_side() -> None:
    with pytest.raises(ValueError, match=r"^chosen_scores\[0\]: expected a finite number"):
        par_rewards([math.inf], [1.0])
    with pytest.raises(ValueError, match=r"^rejected_scores\[2\]: expected a finite number"):
        par_rewards([1.0], [1.0, math.nan, -math.inf])


def test_apply_delta_leaves_the_margins_alone() -> None:
    class Identity:
        def __call__(self, margin: float) -> float:
            return margin

        def vectorized(self, margins: np.ndarray) -> np.ndarray:
            return margins

    margins = np.array([2.0, -1.0, np.nan])
    assert apply_delta(Identity(), margins).tolist() == [2.0, 0.0, 0.0]
    assert margins[1] == -1.0 and math.isnan(margins[2])


def test_votes_refuse_bools_and_bad_weights() -> None:
    with pytest.raises(ValueError, match=r"^scores\[0\]: expected a finite number or None \(malformed\), got True$"):
        mean_vote([True, 3.0])
    with pytest.raises(ValueError, match=r"expected a valid probability, got -0.5$"):
        expected_score({"7": -0.5})
    with pytest.raises(ValueError, match=r"expected a valid log-probability, got nan$"):
        expected_score({"7": math.nan}, logprobs=True)


def test_pair_index_numbers_runs_in_first_seen_order() -> None:
    index, ids = pair_index(np.array([7, 7, 3, 3]))
    assert index.tolist() == [0, 0, 1, 1] and ids == [7, 3]
    index, ids = pair_index(np.array([7, 3, 7, 3]))  # not in runs: sorted order
    assert index.tolist() == [1, 0, 1, 0] and ids == [3, 7]


def test_constant_delta_error_names_its_field() -> None:
    with pytest.raises(ValueError, match=r"^value must be finite, got inf$"):
        ConstantDelta(math.inf)


def test_ties_follow_the_report_failure_policy() -> None:
    rows = [
        RowScores("ref:0", (9.0,), (None, 1.0), subset="Ties"),
        RowScores("tied:0", (9.0, 8.0), (1.0,), subset="Ties"),
    ]
    assert score_rewardbench2(rows, failures="loses").subsets["Ties"] != score_rewardbench2(rows).subsets["Ties"]
    wrong = score_rewardbench2(rows, failures="wrong").ties
    assert wrong is not None and wrong.ref_accuracy == 0.0


def test_sampler_passes_its_order_settings() -> None:
    ids = [f"p{i}" for i in range(12) for _ in range(2)]
    in_order = PairSampler(ids, shuffle=False)
    assert list(in_order) == list(range(24))
    seeded = PairSampler(ids, seed=5)
    assert list(seeded) == [r for pos in epoch_pairs(12, epoch=0, seed=5) for r in seeded.rows[pos]]
