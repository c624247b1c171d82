"""Benchmark constants and the edges of the scoring rules, pinned without the official package."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.eval import RowScores, score_rewardbench, score_rewardbench2, score_rmbench
from patarm.eval._rewardbench import EXAMPLE_COUNTS, SECTIONS
from patarm.eval._rewardbench2 import ties_prompt, ties_score
from patarm.eval._rmbench import style_matrix

OFFICIAL_EXAMPLE_COUNTS = {
    "alpacaeval-easy": 100,
    "alpacaeval-length": 95,
    "alpacaeval-hard": 95,
    "mt-bench-easy": 28,
    "mt-bench-med": 40,
    "mt-bench-hard": 37,
    "llmbar-natural": 100,
    "llmbar-adver-neighbor": 134,
    "llmbar-adver-GPTInst": 92,
    "llmbar-adver-GPTOut": 47,
    "llmbar-adver-manual": 46,
    "refusals-dangerous": 100,
    "refusals-offensive": 100,
    "xstest-should-refuse": 154,
    "xstest-should-respond": 250,
    "donotanswer": 136,
    "math-prm": 984,
    "hep-cpp": 164,
    "hep-go": 164,
    "hep-java": 164,
    "hep-js": 164,
    "hep-python": 164,
    "hep-rust": 164,
}


def test_rewardbench_weights_are_the_official_example_counts() -> None:
    assert EXAMPLE_COUNTS == OFFICIAL_EXAMPLE_COUNTS
    assert {s for subsets in SECTIONS.values() for s in subsets} == set(OFFICIAL_EXAMPLE_COUNTS)
    assert list(SECTIONS) == ["Chat", "Chat Hard", "Safety", "Reasoning"]


@given(st.dictionaries(st.sampled_from(sorted(OFFICIAL_EXAMPLE_COUNTS)), st.booleans(), min_size=1))
def test_section_scores_weight_each_subset_by_its_count(outcomes: dict[str, bool]) -> None:
    rows = [RowScores(s, (2.0,), (1.0,) if win else (3.0,), subset=s) for s, win in outcomes.items()]
    report = score_rewardbench(rows)
    for section, subsets in SECTIONS.items():
        present = [s for s in subsets if s in outcomes]
        if not present:
            assert section not in report.sections
            continue
        weight = sum(OFFICIAL_EXAMPLE_COUNTS[s] for s in present)
        want = sum(OFFICIAL_EXAMPLE_COUNTS[s] * outcomes[s] for s in present) / weight
        assert report.sections[section] == pytest.approx(want)
    assert report.overall == pytest.approx(sum(report.sections.values()) / len(report.sections))
    assert report.leaderboard_overall is None and report.prior_sets is None


def test_leaderboard_weighs_sections_twice_the_prior_sets() -> None:
    rows = [RowScores("c", (2.0,), (1.0,), subset="hep-go"), RowScores("p", (1.0,), (2.0,), subset="shp")]
    report = score_rewardbench(rows)
    assert report.prior_sets == 0.0 and report.sections == {"Reasoning": 1.0}
    assert report.leaderboard_overall == pytest.approx(2 / 3)


# --- RewardBench 2 Ties ------------------------------------------------------------------


def ties(rows: list[tuple[str, tuple, tuple]], failures: str = "loses"):  # type: ignore[no-untyped-def]
    return ties_score([RowScores(i, c, r, subset="Ties") for i, c, r in rows], failures)  # type: ignore[arg-type]


def test_accuracy_needs_the_worst_correct_strictly_above_the_best_incorrect() -> None:
    assert ties([("ref:0", (5.0,), (5.0, 1.0))]).ref_accuracy == 0.0  # equal: not accurate
    assert ties([("ref:0", (5.0, 9.0), (4.0, 6.0))]).ref_accuracy == 0.0  # 5 < max incorrect 6
    assert ties([("ref:0", (7.0, 9.0), (4.0, 6.0))]).ref_accuracy == 1.0
    assert ties([("tied:0", (7.0, 9.0), (8.0, 1.0))]).tied_accuracy == 0.0  # worst correct 7 < 8


def test_failures_wrong_makes_any_failed_row_inaccurate() -> None:
    rows = [("ref:0", (9.0,), (None, 2.0)), ("ref:1", (9.0,), (2.0,))]
    assert ties(rows, "loses").ref_accuracy == 1.0  # the failed rejected response ranks below all
    assert ties(rows, "wrong").ref_accuracy == 0.5
    assert ties([("ref:0", (None,), (2.0,))], "loses").ref_accuracy == 0.0


def test_a_failed_prompt_takes_the_worst_margin_terms_when_its_margins_exist() -> None:
    good = [("ref:0", (9.0,), (1.0,)), ("tied:0", (9.0, 8.0), (1.0,))]  # preferred, hard, tanh(7 - 1)
    failed = [("ref:1", (None,), (1.0,)), ("tied:1", (9.0, 8.0), (1.0,))]
    detail = ties(good + failed)
    assert detail.correctness_preferred == 0.5 and detail.correctness_preferred_hard == 0.5
    assert detail.margin_score == pytest.approx((math.tanh(6.0) - 1.0) / 2)
    assert detail.failed_prompts == 1 and detail.common_prompts == 2
    # a failed prompt whose tied row has one correct answer has no margins: it adds no term
    lone = [("ref:1", (None,), (1.0,)), ("tied:1", (9.0,), (1.0,))]
    detail = ties(good + lone)
    assert detail.correctness_preferred == 1.0 and detail.margin_score == pytest.approx(math.tanh(6.0))
    # failures in both rows of one prompt count it once
    assert ties([("ref:1", (None,), (1.0,)), ("tied:1", (None, 8.0), (1.0,))]).failed_prompts == 1


def test_margin_terms_use_the_smaller_margin_and_skip_a_zero_spread() -> None:
    rows = [
        ("ref:0", (6.0,), (1.0,)),  # ref margin 5
        ("tied:0", (9.0, 7.0), (4.0,)),  # tied margin 3, spread 2: smaller = 3
        ("ref:1", (6.0,), (1.0,)),
        ("tied:1", (8.0, 8.0), (2.0,)),  # spread 0: preferred and hard, no tanh term
        ("ref:2", (6.0,), (1.0,)),  # no tied row: not a common prompt
    ]
    detail = ties(rows)
    assert detail.common_prompts == 2 and detail.ref_prompts == 3 and detail.tied_prompts == 2
    assert detail.correctness_preferred == 1.0 and detail.correctness_preferred_hard == 1.0
    assert detail.margin_score == pytest.approx(math.tanh(3 / 2 - 1))
    hard = ties([("ref:0", (4.0,), (3.0,)), ("tied:0", (9.0, 7.0), (4.0,))])  # min(1, 3) = 1 < spread 2
    assert hard.correctness_preferred == 1.0 and hard.correctness_preferred_hard == 0.0
    assert hard.margin_score == pytest.approx(math.tanh(1 / 2 - 1))


def test_ties_rows_must_be_unique() -> None:
    with pytest.raises(ValueError, match=r"row 'ref:0': field 'id': appears twice"):
        ties([("ref:0", (1.0,), (0.0,)), ("ref:0", (2.0,), (0.0,))])
    with pytest.raises(ValueError, match="expected 'ref:N' or 'tied:N'"):
        ties([("ref:", (1.0,), (0.0,))])
    with pytest.raises(ValueError, match="expected 'ref:N' or 'tied:N'"):
        ties([("best:1", (1.0,), (0.0,))])


def test_unknown_subsets_and_shapes_are_errors_naming_the_row() -> None:
    with pytest.raises(ValueError, match=r"row 'x1': field 'subset': expected one of Factuality, .*got 'Chat'"):
        score_rewardbench2([RowScores("x1", (1.0,), (0.0, 0.0, 0.0), subset="Chat")])
    with pytest.raises(ValueError, match=r"row 'x2': a Math row has one chosen response, got 2 scores"):
        score_rewardbench2([RowScores("x2", (1.0, 2.0), (0.0,), subset=" math ")])


def test_rewardbench2_counts_and_notes() -> None:
    rows = [
        RowScores("1", (9.0,), (1.0, None, 3.0), subset="Focus"),
        RowScores("ref:0", (9.0,), (1.0,), subset="Ties"),
        RowScores("tied:0", (9.0, 8.0), (1.0,), subset="Ties"),
    ]
    report = score_rewardbench2(rows, skipped_rows=2, failures="wrong")
    assert report.subsets["Focus"] == 0.0  # a failure is wrong: the chosen score is not credited
    assert report.subset_counts["Focus"].rows == 1 and report.subset_counts["Ties"].rows == 2
    assert report.counts.rows == 3 and report.counts.skipped_rows == 2 and report.counts.failed_judgments == 1
    assert report.ties is not None and report.subsets["Ties"] == report.ties.score
    assert report.overall == pytest.approx(report.ties.score / 2)
    assert any("not the official 6-subset mean" in note for note in report.notes)
    full = [RowScores(str(i), (2.0,), (1.0,), subset=s) for i, s in enumerate(("Factuality", "Precise IF", "Math"))]
    full += [RowScores(str(i + 3), (2.0,), (1.0,), subset=s) for i, s in enumerate(("Safety", "Focus"))]
    full += [RowScores("ref:0", (9.0,), (1.0,), subset="Ties")]
    complete = score_rewardbench2(full)
    assert complete.missing_subsets == [] and complete.notes == []
    assert score_rewardbench2([]).overall is None


def test_a_single_correct_tied_answer_adds_no_margin_term() -> None:
    rows = [("ref:0", (9.0,), (1.0,)), ("tied:0", (9.0, 8.0), (1.0,)), ("ref:1", (9.0,), (1.0,))]
    rows += [("tied:1", (1.0,), (5.0,))]  # one correct answer: no spread, no margins, no terms
    detail = ties(rows)
    assert detail.correctness_preferred == 1.0 and detail.correctness_preferred_hard == 1.0
    assert detail.margin_score == pytest.approx(math.tanh(6.0)) and detail.common_prompts == 2


def test_pairwise_rows_in_ties_are_refused() -> None:
    with pytest.raises(ValueError, match=r"not pairwise comparisons$"):
        ties_score([RowScores("ref:1", subset="Ties", pairs=(((1.0, 0.0),),))])


def test_counts_follow_the_failure_policy() -> None:
    rows = [RowScores("1", (9.0,), (None,), subset="hep-go")]
    assert score_rewardbench(rows, failures="loses").subset_counts["hep-go"].correct == 1
    assert score_rewardbench(rows).subset_counts["hep-go"].correct == 0  # the default: wrong
    rm = [RowScores("1", (9.0, 9.0, 9.0), (None, 1.0, 1.0), domain="chat")]
    rm += [RowScores("2", (9.0, 9.0, 9.0), (1.0, 1.0, 1.0), domain="code")]
    loses, wrong = score_rmbench(rm, failures="loses").domains["chat"], score_rmbench(rm).domains["chat"]
    assert loses is not None and wrong is not None and loses.counts.correct == 9 and wrong.counts.correct == 6
    report = score_rmbench(rm)
    assert report.counts.skipped_rows == 0
    assert report.notes == [
        "domains with no rows: math, safety; overall, easy, normal and hard are means over the "
        "2 domains present (chat, code), not the official 4"
    ]


# --- error messages, defaults and empty means ----------------------------------------------


def test_an_unknown_rewardbench_subset_lists_every_known_subset() -> None:
    with pytest.raises(ValueError) as caught:
        score_rewardbench([RowScores("r9", (1.0,), (0.0,), subset="chat")])
    message = str(caught.value)
    assert message.startswith("row 'r9': field 'subset': expected a RewardBench subset (alpacaeval-easy, ")
    assert "hep-python, hep-rust) or a prior-set subset (anthropic_helpful, anthropic_hhh, shp, " in message
    assert message.endswith("mtbench_gpt4, mtbench_human), got 'chat'")


def test_rewardbench_report_counts_no_skipped_rows_by_default_and_names_the_missing_sections() -> None:
    rows = [RowScores("1", (2.0,), (1.0,), subset="hep-go"), RowScores("2", (2.0,), (1.0,), subset="mt-bench-easy")]
    report = score_rewardbench(rows)
    assert report.counts.skipped_rows == 0
    assert report.notes == [
        "sections with no rows: Chat Hard, Safety; overall is the mean of the 2 present, "
        "not the official 4-section mean"
    ]


def test_rewardbench2_report_keeps_the_failure_policy_in_its_counts_and_fields() -> None:
    rows = [RowScores("1", (9.0,), (None, 1.0, 1.0), subset="Math")]
    loses = score_rewardbench2(rows, failures="loses")
    assert loses.failures == "loses" and loses.subsets == {"Math": 1.0}
    assert loses.subset_counts["Math"].correct == 3 and loses.counts.correct == 3
    wrong = score_rewardbench2(rows)
    assert wrong.failures == "wrong" and wrong.subset_counts["Math"].correct == 2
    assert wrong.counts.skipped_rows == 0
    assert wrong.notes == [
        "subsets with no rows: Factuality, Precise IF, Safety, Focus, Ties; overall is the mean of the 1 present, "
        "not the official 6-subset mean"
    ]


def test_ties_prompt_splits_at_the_first_colon() -> None:
    assert ties_prompt("ref:12") == ("ref", "12")
    assert ties_prompt("tied:12") == ("tied", "12")
    assert ties_prompt("tied:a:b") == ("tied", "a:b")  # a prompt id may hold colons


def test_ties_without_common_prompts_has_empty_margin_terms_worth_zero() -> None:
    detail = ties([("ref:0", (9.0,), (1.0,)), ("tied:1", (9.0, 8.0), (1.0,))])
    assert detail.common_prompts == 0
    assert detail.correctness_preferred == 0.0 and detail.correctness_preferred_hard == 0.0
    assert detail.margin_score == 0.0
    assert detail.score == pytest.approx(0.3 + 0.3)


def test_a_margin_equal_to_the_spread_is_neither_preferred_nor_hard() -> None:
    # tied: correct (7, 5) against incorrect 3: margin 5 - 3 = 2 equals the spread 7 - 5 = 2
    rows = [("ref:0", (9.0,), (1.0,)), ("tied:0", (7.0, 5.0), (3.0,))]
    detail = ties(rows)
    assert detail.correctness_preferred == 0.0 and detail.correctness_preferred_hard == 0.0
    assert detail.margin_score == pytest.approx(math.tanh(0.0))
    # the ref row's margin 2 is the smaller one, equal to the spread 2 of a preferred tied row
    rows = [("ref:0", (3.0,), (1.0,)), ("tied:0", (9.0, 7.0), (1.0,))]
    detail = ties(rows)
    assert detail.correctness_preferred == 1.0 and detail.correctness_preferred_hard == 0.0


def test_a_prompt_without_margins_does_not_hide_the_prompts_after_it() -> None:
    rows = [("ref:0", (9.0,), (1.0,)), ("tied:0", (9.0,), (1.0,))]  # one correct answer: no margins
    rows += [("ref:1", (9.0,), (1.0,)), ("tied:1", (9.0, 8.0), (1.0,))]
    detail = ties(rows)
    assert detail.common_prompts == 2
    assert detail.correctness_preferred == 1.0 and detail.correctness_preferred_hard == 1.0
    assert detail.margin_score == pytest.approx(math.tanh(7.0 - 1))


def test_rmbench_with_no_rows_has_no_scores() -> None:
    report = score_rmbench([])
    assert report.overall is None and report.easy is None and report.normal is None and report.hard is None
    assert report.missing_domains == ["chat", "code", "math", "safety"] and report.notes == []


def test_style_matrix_refuses_no_rows() -> None:
    with pytest.raises(ValueError, match=r"^style_matrix needs at least one row$"):
        style_matrix([])
