"""The rationale read from free text, and the answer span the score's tokens are found by."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.parsing import final_answer_span, format_score, parse_judgment

plain = st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=30)


def _joined(*parts: str) -> str | None:
    kept = [p.strip() for p in parts if p.strip()]
    return "\n\n".join(kept) or None


@given(plain, plain, plain, st.integers(1, 10))
def test_rationale_is_the_free_text_around_the_tags(before: str, between: str, after: str, score: int) -> None:
    text = f"{before}<criteria>c</criteria>{between}<answer>{score}</answer>{after}"
    judgment = parse_judgment(text)
    assert judgment.score == float(score)
    assert judgment.rationale == _joined(before, between, after)
    assert judgment.criteria == "c"


def test_rationale_after_the_last_tag() -> None:
    assert parse_judgment("<answer>7</answer>\n Because it is right. ").rationale == "Because it is right."
    assert parse_judgment("<answer>7</answer>").rationale is None
    assert parse_judgment("<think>x</think>Good.<answer>7</answer>So 7.").rationale == "Good.\n\nSo 7."
    # a rationale block wins over free text; text inside thinking is never the rationale
    tagged = parse_judgment("Free.<rationale> Tagged. </rationale><answer>7</answer>After.")
    assert tagged.rationale == "Tagged."
    assert parse_judgment("<think>hidden</think><answer>7</answer>").rationale is None


@given(plain, plain, st.integers(0, 10), st.integers(1, 10))
def test_span_is_the_block_parse_judgment_reads(before: str, middle: str, first: int, last: int) -> None:
    text = f"{before}<answer>{first}</answer>{middle}<think><answer>x</answer></think><answer> {last}</answer>"
    span = final_answer_span(text)
    assert span is not None
    assert text[span[0] : span[1]] == f" {last}"
    assert parse_judgment(text).score == float(last)


def test_no_span_when_there_is_no_readable_answer() -> None:
    assert final_answer_span("no tags at all") is None
    assert final_answer_span("<answer>7</answer><answer>8") is None  # truncated final answer
    assert final_answer_span("<answer>7</answer><think>still thinking") is None
    assert final_answer_span("<think><answer>7</answer></think>") is None
    assert final_answer_span("<a>7</a>", answer_tag="a") == (3, 4)
    assert final_answer_span("<answer>7</answer>", answer_tag="a") is None


def test_nested_thinking_is_one_block() -> None:
    judgment = parse_judgment("<think>a<think>b</think>c</think>d<answer>5</answer>")
    assert (judgment.thinking, judgment.rationale, judgment.score) == ("a<think>b</think>c", "d", 5.0)


def test_tag_names_must_stay_distinct_and_scores_finite() -> None:
    with pytest.raises(ValueError, match="four distinct non-empty strings"):
        final_answer_span("x", answer_tag="criteria")
    with pytest.raises(ValueError, match=r"score must be finite, got inf"):
        format_score(math.inf)


@pytest.mark.parametrize("taken", ["think", "criteria", "rationale"])
def test_span_and_parser_take_the_same_default_tag_names(taken: str) -> None:
    # An answer tag named like another default tag is refused by both, so both read the
    # same four tags by default.
    with pytest.raises(ValueError, match="four distinct non-empty strings"):
        parse_judgment("x", answer_tag=taken)
    with pytest.raises(ValueError, match="four distinct non-empty strings"):
        final_answer_span("x", answer_tag=taken)
    assert final_answer_span(f"<{taken.upper()}>7</{taken.upper()}>", answer_tag=taken.upper()) is not None
