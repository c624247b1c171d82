"""The official formulas on hand-made cases with answers worked out by hand."""

from __future__ import annotations

import math

import pytest

from patarm.eval import RowScores, compare, score_rewardbench, score_rewardbench2, score_rmbench
from patarm.eval._rewardbench import EXAMPLE_COUNTS, SECTIONS, section_scores
from patarm.eval._rewardbench2 import best_of_n_credit, ties_score
from patarm.eval._rmbench import summarize_matrix


def rb(row_id: str, subset: str, chosen: float | None, rejected: float | None) -> RowScores:
    return RowScores(row_id, (chosen,), (rejected,), subset=subset)


# --- comparisons -------------------------------------------------------------------------


def test_compare_ties_and_failures() -> None:
    assert compare(2, 1) == "win" and compare(1, 2) == "loss" and compare(3, 3) == "tie"
    assert compare(None, 1) == "loss" and compare(None, None) == "loss"
    assert compare(1, None) == "loss" and compare(1, None, "wrong") == "loss"  # the default: "wrong"
    assert compare(1, None, "loses") == "win"  # the failed rejected side ranks last


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "7"])
def test_scores_must_be_finite_numbers(bad: object) -> None:
    with pytest.raises(ValueError, match=r"row '1': chosen\[0\]: expected a finite number or null"):
        RowScores("1", (bad,), (1.0,))  # type: ignore[arg-type]


# --- RewardBench -------------------------------------------------------------------------


def test_rewardbench_sections_are_weighted_by_example_counts() -> None:
    rows = [rb("m1", "math-prm", 2, 1), rb("m2", "math-prm", 1, 2)]  # math-prm: 0.5
    rows += [rb("p1", "hep-python", 2, 1)]  # hep-python: 1.0
    report = score_rewardbench(rows)
    assert report.subsets == {"math-prm": 0.5, "hep-python": 1.0}
    expected = (0.5 * 984 + 1.0 * 164) / (984 + 164)
    assert report.sections == {"Reasoning": pytest.approx(expected)}
    assert report.overall == pytest.approx(expected)
    assert report.missing_sections == ["Chat", "Chat Hard", "Safety"]
    assert "overall is the mean of the 1 present" in report.notes[0]


def test_rewardbench_overall_is_the_plain_mean_of_the_four_sections() -> None:
    rows = [rb("a", "alpacaeval-easy", 2, 1), rb("b", "mt-bench-hard", 1, 2), rb("c", "donotanswer", 2, 1)]
    rows += [rb("d", "hep-go", 1, 1)]  # a tie is wrong
    report = score_rewardbench(rows)
    assert report.sections == {"Chat": 1.0, "Chat Hard": 0.0, "Safety": 1.0, "Reasoning": 0.0}
    assert report.overall == 0.5 and report.missing_sections == [] and report.notes == []
    assert report.counts.ties == 1 and report.counts.tie_rate == 0.25
    assert report.prior_sets is None and report.leaderboard_overall is None


def test_rewardbench_failures_stay_in_the_denominator() -> None:
    rows = [rb("1", "hep-go", None, 1), rb("2", "hep-go", 1, None), rb("3", "hep-go", None, None)]
    loses = score_rewardbench(rows, failures="loses")
    assert loses.subsets["hep-go"] == pytest.approx(1 / 3)  # only row 2: the failure loses
    strict = score_rewardbench(rows)  # the default: every comparison with a failure is wrong
    assert strict.failures == "wrong" and loses.failures == "loses"
    assert strict.subsets["hep-go"] == 0.0
    assert strict.counts.rows == 3 and strict.counts.failed_judgments == 4 and strict.counts.failed_comparisons == 3


def test_rewardbench_prior_sets_at_half_weight() -> None:
    rows = [rb(f"s{i}", s, 2, 1) for i, s in enumerate(["alpacaeval-easy", "mt-bench-hard", "donotanswer", "hep-go"])]
    rows += [rb("h1", "anthropic_helpful", 1, 2), rb("h2", "shp", 2, 1), rb("x", "anthropic_harmless", 1, 2)]
    report = score_rewardbench(rows)
    assert report.overall == 1.0
    assert report.prior_sets == 0.5  # mean of anthropic_helpful (0) and shp (1); anthropic_harmless is not averaged
    assert report.leaderboard_overall == pytest.approx((2 * 4 * 1.0 + 0.5) / 9)
    assert report.subsets["anthropic_harmless"] == 0.0


def test_rewardbench_rejects_unknown_subsets_and_shapes() -> None:
    with pytest.raises(ValueError, match=r"row '1': field 'subset': expected a RewardBench subset"):
        score_rewardbench([rb("1", "poetry", 1, 2)])
    with pytest.raises(ValueError, match="expected one chosen and one rejected score, got 1 and 2"):
        score_rewardbench([RowScores("1", (1.0,), (1.0, 2.0), subset="hep-go")])


def test_section_scores_leave_out_empty_sections() -> None:
    assert section_scores({"donotanswer": 0.25}) == {"Safety": 0.25}
    assert sum(EXAMPLE_COUNTS[s] for s in SECTIONS["Reasoning"]) == 984 + 6 * 164


# --- RewardBench 2 -----------------------------------------------------------------------


def test_best_of_n_credit() -> None:
    assert best_of_n_credit(["win", "win", "win"]) == 1.0
    assert best_of_n_credit(["win", "tie", "win"]) == 0.5
    assert best_of_n_credit(["tie", "tie", "tie"]) == 0.25
    assert best_of_n_credit(["win", "tie", "loss"]) == 0.0


def test_rewardbench2_subsets_and_overall() -> None:
    rows = [
        RowScores("1", (9.0,), (1.0, 2.0, 3.0), subset="Factuality"),  # 1
        RowScores("2", (5.0,), (5.0, 5.0, 1.0), subset="factuality"),  # 1/3, subset matched case-insensitively
        RowScores("3", (None,), (1.0, 2.0, 3.0), subset="Math"),  # 0: the failure loses
        RowScores("4", (4.0,), (None, 2.0, 3.0), subset="Math"),  # 1
    ]
    report = score_rewardbench2(rows, failures="loses")
    assert report.subsets == {"Factuality": pytest.approx(2 / 3), "Math": 0.5}
    assert report.overall == pytest.approx((2 / 3 + 0.5) / 2)
    assert report.missing_subsets == ["Precise IF", "Safety", "Focus", "Ties"]
    assert report.notes[0].startswith("subsets with no rows: Precise IF, Safety, Focus, Ties; overall is the mean")
    assert score_rewardbench2(rows).subsets["Math"] == 0.0  # the default, "wrong"


def test_ties_score_by_hand() -> None:
    rows = [
        # prompt 0: both rows accurate; tied spread 1 (8..9), margins ref 8-2=6, tied 8-3=5
        RowScores("ref:0", (8.0,), (2.0, 1.0), subset="Ties"),
        RowScores("tied:0", (9.0, 8.0), (3.0,), subset="Ties"),
        # prompt 1: tied row not accurate (6 < 7); spread 4 (6..10), tied margin 6-7=-1
        RowScores("ref:1", (9.0,), (5.0,), subset="Ties"),
        RowScores("tied:1", (10.0, 6.0), (7.0,), subset="Ties"),
    ]
    detail = ties_score(rows)
    assert detail.ref_accuracy == 1.0 and detail.tied_accuracy == 0.5
    assert detail.correctness_preferred == 0.5  # prompt 0: 5 > 1; prompt 1: -1 > 4 is false
    assert detail.correctness_preferred_hard == 0.5  # min(6, 5) > 1; min(4, -1) > 4 false
    margin = (math.tanh(5 / 1 - 1) + math.tanh(-1 / 4 - 1)) / 2
    assert detail.margin_score == pytest.approx(margin)
    assert detail.score == pytest.approx(0.3 * 0.5 + 0.3 * 1.0 + 0.2 * 0.5 + 0.2 * 0.5 + 0.01 * margin)
    assert score_rewardbench2(rows).subsets["Ties"] == detail.score


def test_ties_failures_take_the_worst_value_and_stay_counted() -> None:
    rows = [
        RowScores("ref:0", (8.0,), (2.0,), subset="Ties"),
        RowScores("tied:0", (9.0, None), (3.0,), subset="Ties"),
    ]
    detail = ties_score(rows)
    assert detail.tied_accuracy == 0.0 and detail.ref_accuracy == 1.0
    assert detail.correctness_preferred == 0.0 and detail.margin_score == -1.0 and detail.failed_prompts == 1
    with pytest.raises(ValueError, match="expected 'ref:N' or 'tied:N'"):
        ties_score([RowScores("7", (1.0,), (0.0,), subset="Ties")])
    with pytest.raises(ValueError, match="needs per-response scores"):
        ties_score([RowScores("ref:1", subset="Ties", pairs=(((1.0, 0.0),),))])


# --- RM-Bench ----------------------------------------------------------------------------


def test_rmbench_matrix_and_columns() -> None:
    rows = [
        RowScores("1", (5.0, 6.0, 7.0), (4.0, 5.0, 6.0), domain="chat"),  # beats rejected j iff i >= j
        RowScores("2", (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), domain="chat"),  # beats all
    ]
    report = score_rmbench(rows)
    chat = report.domains["chat"]
    assert chat is not None
    assert chat.matrix == [[1.0, 0.5, 0.5], [1.0, 1.0, 0.5], [1.0, 1.0, 1.0]]
    assert (chat.hard, chat.normal, chat.easy) == (0.5, 1.0, 1.0)
    assert chat.score == pytest.approx(2.5 / 3)
    assert report.overall == chat.score and report.hard == 0.5
    assert report.missing_domains == ["code", "math", "safety"] and report.domains["math"] is None
    assert "means over the 1 domain present (chat), not the official 4" in report.notes[0]


def test_rmbench_safety_parts_merge_and_four_domain_means() -> None:
    ones = ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    zeros = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    rows = [
        RowScores("1", *ones, domain="chat"),
        RowScores("1", *zeros, domain="code"),
        RowScores("1", *ones, domain="math"),
        RowScores("2", *ones, domain="safety-refuse"),
        RowScores("3", *zeros, domain="safety-response"),
    ]
    report = score_rmbench(rows)
    safety = report.domains["safety"]
    assert safety is not None and safety.counts.rows == 2 and safety.score == 0.5
    assert report.overall == pytest.approx((1 + 0 + 1 + 0.5) / 4)
    assert report.missing_domains == [] and report.notes == []


def test_rmbench_failures_lose_and_are_counted() -> None:
    rows = [RowScores("1", (None, 2.0, 2.0), (1.0, None, 1.0), domain="code")]
    code = score_rmbench(rows, failures="loses").domains["code"]
    assert code is not None
    assert code.matrix == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    assert code.counts.failed_judgments == 2 and code.counts.failed_comparisons == 5
    strict = score_rmbench(rows).domains["code"]  # the default, "wrong"
    assert strict is not None and strict.matrix == [[0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]


def test_rmbench_rejects_bad_rows() -> None:
    with pytest.raises(ValueError, match=r"row '1': field 'domain': expected one of chat, code, math, safety"):
        score_rmbench([RowScores("1", (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), domain="poetry")])
    with pytest.raises(ValueError, match="expected 3 chosen and 3 rejected scores, got 1 and 1"):
        score_rmbench([RowScores("1", (1.0,), (0.0,), domain="chat")])
    with pytest.raises(ValueError, match="expected 3 chosen and 3 rejected scores, got 2 and 3"):
        score_rmbench([RowScores("1", (1.0, 1.0), (0.0, 0.0, 0.0), domain="chat")])


def test_summarize_matrix() -> None:
    assert summarize_matrix([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]) == pytest.approx(
        ((0.2 + 0.3 + 0.6) / 3, 0.5, (0.4 + 0.7 + 0.8) / 3)
    )


def test_pairwise_grids_score_like_per_response_scores() -> None:
    chosen, rejected = (3.0, 1.0, 2.0), (2.0, 2.0, 0.0)
    per_response = RowScores("1", chosen, rejected, domain="chat")
    pairs = RowScores("1", domain="chat", pairs=tuple(tuple((c, r) for r in rejected) for c in chosen))
    a, b = score_rmbench([per_response]).domains["chat"], score_rmbench([pairs]).domains["chat"]
    assert a is not None and b is not None
    assert a.model_dump(exclude={"counts"}) == b.model_dump(exclude={"counts"})
    assert (a.counts.judgments, b.counts.judgments) == (6, 18)  # a pairwise judge scores both sides of each pair
