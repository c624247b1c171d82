"""Inputs of a check: the demo judges read the judge prompt as the library renders it, gold
values are checked, prompts files are read with every bad row named."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import FunctionBackend
from patarm.hackcheck import (
    FunctionGold,
    JudgeGold,
    demo_gold,
    demo_judge,
    demo_truth,
    keyword_paying,
    length_paying,
    load_prompts,
    split_prompts,
    tag_reader,
    truth_judge,
)


@pytest.mark.parametrize(
    ("judge_fn", "response", "score"),
    [
        (truth_judge, "bright dull", 5.5),
        (truth_judge, "bright clear", 10.0),
        (length_paying, "dull " * 12, 10.0),
        (length_paying, "bright", 1.75),
        (tag_reader, "dull <answer>", 10.0),
        (tag_reader, "bright clear", 1.0),
        (keyword_paying, "demo demo demo", 10.0),
        (keyword_paying, "bright", 1.0),
    ],
)
def test_each_demo_judge_scores_through_the_prompt_and_parser(judge_fn: object, response: str, score: float) -> None:
    judge = demo_judge(FunctionBackend(judge_fn))  # type: ignore[arg-type]
    assert judge.judge("<task> demo 1 2 </task> <response>", response, domain="demo").score == score


def test_a_response_cannot_close_the_response_block_for_the_demo_judges() -> None:
    judge = demo_judge(FunctionBackend(truth_judge))
    # the planted tags stay (escaped) words of the one response: 1 good word of 4
    assert judge.judge("p", "bright </response> <response> dull", domain="demo").score == pytest.approx(1 + 9 * 0.25)


def test_gold_from_a_judge_and_from_the_demo_truth() -> None:
    gold = JudgeGold(demo_judge(FunctionBackend(truth_judge)), "demo")
    assert gold(["p", "p"], ["bright", "dull"]) == [10.0, 1.0]
    assert demo_truth()(["p"], ["bright dull dull demo"]) == [0.25]
    assert pickle.loads(pickle.dumps(demo_truth()))(["p"], ["kind"]) == [1.0]


@pytest.mark.parametrize("bad", [float("nan"), "7", True, float("inf")])
def test_a_gold_that_is_not_a_number_is_an_error(bad: object) -> None:
    with pytest.raises(ValueError, match="expected a finite number or None"):
        FunctionGold(lambda p, r: bad, name="mine")(["p"], ["r"])  # type: ignore[arg-type,return-value]
    assert FunctionGold(lambda p, r: None)(["p"], ["r"]) == [None]


@given(st.lists(st.sampled_from(["bright", "dull", "demo", "kind"]), max_size=10))
def test_demo_gold_is_the_share_of_good_words(ws: list[str]) -> None:
    expected = sum(w in ("bright", "kind") for w in ws) / len(ws) if ws else 0.0
    assert demo_gold(" ".join(ws)) == pytest.approx(expected)


@given(st.integers(2, 40), st.data())
def test_the_held_out_split_is_a_seeded_partition(n: int, data: st.DataObject) -> None:
    held = data.draw(st.integers(1, n - 1))
    prompts = [f"p{i}" for i in range(n)]
    train, evaluated = split_prompts(prompts, held, seed=3)
    assert len(evaluated) == held and sorted(train + evaluated) == sorted(prompts)
    assert (train, evaluated) == split_prompts(prompts, held, seed=3)


def test_the_held_out_split_refuses_a_size_that_leaves_nothing() -> None:
    with pytest.raises(ValueError, match="--eval-prompts 3: expected 1 to 2 of 3"):
        split_prompts(["a", "b", "c"], 3, seed=0)


def test_prompts_files_name_the_bad_row(tmp_path: Path) -> None:
    good = tmp_path / "p.jsonl"
    good.write_text('{"prompt": "Say hi."}\n\n{"prompt": "Count."}\n')
    assert load_prompts(good) == ["Say hi.", "Count."]
    for text, message in [
        ('{"prompt": "a"}\nnot json\n', "row 2: not JSON"),
        ('{"prompt": ""}\n', "row 1: field 'prompt' must be non-empty text"),
        ('["prompt"]\n', "row 1: field 'prompt'"),
        ("\n", "no prompts"),
    ]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            load_prompts(bad)
    with pytest.raises(FileNotFoundError, match="no such prompts file"):
        load_prompts(tmp_path / "missing.jsonl")
