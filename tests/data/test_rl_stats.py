from __future__ import annotations

from typing import Any

import pytest

from patarm.data import DomainLabeler, PairStats, RejectSampling, RLReport, iter_loaded, judge_rows, rl_rows
from patarm.data._rl import correct_fraction

ROWS: list[dict[str, Any]] = [
    {"pair_id": "a", "prompt": "Solve x^2 = 9.", "chosen": "x = 3 or -3", "rejected": "x = 3", "correct": [True] * 8},
    {"pair_id": "b", "prompt": "Say hi.", "chosen": "Hello!", "rejected": "no", "domain": "chat", "correct": 0.5},
    {"pair_id": "c", "prompt": "Write a python sort.", "chosen": "sorted(x)", "rejected": "x", "correct": [True]},
    {"pair_id": "d", "prompt": "Hi", "chosen": "hey", "rejected": "bye", "correct": [True] + [False] * 7},
    {"pair_id": "e", "prompt": "Hi", "chosen": "hey you", "rejected": "bye", "correct": 0.0},
]


def test_rows_are_the_judge_rows_with_domain_source() -> None:
    loaded = list(iter_loaded(ROWS))
    rows = list(rl_rows(loaded))
    assert rows == list(judge_rows([item.pair for item in loaded]))
    assert [r["domain_source"] for r in rows[::2]] == ["heuristic", "given", "heuristic", "heuristic", "heuristic"]
    assert [(r["pair_id"], r["role"]) for r in rows[:2]] == [("a", "chosen"), ("a", "rejected")]


def test_judge_rows_refuse_a_repeated_pair_id() -> None:
    pairs = [item.pair for item in iter_loaded(ROWS[:1])] * 2
    with pytest.raises(ValueError, match=r"pair 1: pair_id 'a' appears twice"):
        list(judge_rows(pairs))


def test_reject_sampling_keeps_one_to_six_eighths() -> None:
    report = RLReport()
    rows = list(rl_rows(iter_loaded(ROWS), reject_sampling=RejectSampling(column="correct"), report=report))
    assert sorted({r["pair_id"] for r in rows}) == ["b", "d"]
    assert (report.pairs, report.kept, report.dropped, report.rows) == (5, 2, {"out_of_range": 3}, 4)


def test_missing_or_bad_correctness_names_the_row() -> None:
    rows = [dict(ROWS[0], correct=None)]
    with pytest.raises(ValueError, match="row 0: field 'correct' is missing"):
        list(rl_rows(iter_loaded(rows), reject_sampling=RejectSampling(column="correct")))
    with pytest.raises(ValueError, match="row 0: field 'correct'"):
        list(rl_rows(iter_loaded([dict(ROWS[0], correct=1.5)]), reject_sampling=RejectSampling(column="correct")))


@pytest.mark.parametrize(("value", "fraction"), [([True, False], 0.5), (0.25, 0.25), ((True,) * 4, 1.0), (0, 0.0)])
def test_correct_fraction(value: object, fraction: float) -> None:
    assert correct_fraction(value) == fraction


@pytest.mark.parametrize("value", [[], [1, 0], "0.5", True, float("nan"), -0.1])
def test_correct_fraction_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        correct_fraction(value)


def test_llm_labels_are_recorded_as_llm() -> None:
    labeler = DomainLabeler(router=lambda prompt: "code", source="llm")
    loaded = list(iter_loaded(ROWS))
    assert [labeler.label(item.pair) for item in loaded[:2]] == [("code", "llm"), ("chat", "given")]
    assert labeler.counts == {("code", "llm"): 1, ("chat", "given"): 1}


def test_stats_length_shortcut_and_duplicates() -> None:
    stats = PairStats()
    for item in iter_loaded([*ROWS, dict(ROWS[0], pair_id="dup")]):
        stats.add(item.pair)
    summary = stats.summary()
    assert summary["pairs"] == 6 and summary["duplicate_pairs"] == 1 and summary["repeated_prompts"] == 2
    assert summary["chosen_longer_share"] == round(5 / 6, 4)
    assert summary["chosen_chars"]["median"] == 8.0  # lengths 3, 6, 7, 9, 11, 11
    assert summary["same_length_share"] == round(1 / 6, 4)  # "hey" vs "bye"
