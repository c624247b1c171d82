"""The expected score reads whole numerals over the tokens they span (``completion_expected_score``).

Properties on synthetic log-probabilities laid out as a tokenizer that splits digits would give
them ("10" is "1" then "0"), and as one that keeps "10" whole; the real tokenizer's case is in
tests/real_model/test_smollm2.py.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import Completion, TokenLogprobs
from patarm.judges import completion_expected_score
from patarm.judges._expected import numeral_distribution

weights = st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=10, max_size=10)


def normalised(ws: list[float]) -> dict[int, float]:
    total = math.fsum(ws)
    return {v: w / total for v, w in zip(range(1, 11), ws, strict=True)}


def mean(p: dict[int, float]) -> float:
    return math.fsum(v * w for v, w in p.items()) / math.fsum(p.values())


def split_digits(p: dict[int, float], sampled: str) -> Completion:
    """The model wrote ``sampled`` digit by digit after ``<answer>``; "1" carries the mass of 1 and 10."""
    first = {str(d): math.log(p[d]) for d in range(2, 10)} | {"1": math.log(p[1] + p[10])}
    tokens = [TokenLogprobs("<answer>", 0.0)]
    tokens.append(TokenLogprobs(sampled[0], first[sampled[0]], first))
    if sampled == "10":
        second = {"0": math.log(p[10] / (p[1] + p[10])), "</": math.log(p[1] / (p[1] + p[10]))}
        tokens.append(TokenLogprobs("0", second["0"], second))
    tokens.append(TokenLogprobs("</answer>", -0.01))
    return Completion(text="".join(t.token for t in tokens), tokens=tuple(tokens))


@given(weights)
def test_ten_over_two_tokens_is_read_whole(ws: list[float]) -> None:
    p = normalised(ws)
    assert completion_expected_score(split_digits(p, "10"), (1, 10)) == pytest.approx(mean(p), rel=1e-9)


@given(weights, st.sampled_from("23456789"))
def test_a_prefix_the_model_did_not_take_is_left_out(ws: list[float], sampled: str) -> None:
    # "1" may have become "10": its split is unknown, so neither 1 nor 10 is counted.
    p = normalised(ws)
    rest = {v: w for v, w in p.items() if v not in (1, 10)}
    assert completion_expected_score(split_digits(p, sampled), (1, 10)) == pytest.approx(mean(rest), rel=1e-9)
    # On a 1-9 scale nothing extends "1": it is a score of its own.
    nine = {v: w for v, w in p.items() if v != 10} | {1: p[1] + p[10]}
    assert completion_expected_score(split_digits(p, sampled), (1, 9)) == pytest.approx(mean(nine), rel=1e-9)


@given(weights, st.integers(1, 10))
def test_whole_numeral_tokens_read_as_they_are(ws: list[float], sampled: int) -> None:
    # A tokenizer with "10" as one token: every alternative is a score; "1" may still go on as "1"
    # then "0", so it counts only when the model took it and then closed the numeral.
    p = normalised(ws)
    top = {str(v): math.log(w) for v, w in p.items()}
    tokens = (
        TokenLogprobs("<answer>", 0.0),
        TokenLogprobs(str(sampled), top[str(sampled)], top),
        TokenLogprobs("</answer>", 0.0),  # certain: the numeral ended
    )
    completion = Completion(text=f"<answer>{sampled}</answer>", tokens=tokens)
    counted = p if sampled == 1 else {v: w for v, w in p.items() if v != 1}
    assert completion_expected_score(completion, (1, 10)) == pytest.approx(mean(counted), rel=1e-9)


def test_numeral_distribution_edges() -> None:
    # A numeral that ends inside a token ("7<"), leading zeros, and a sampled token off the scale.
    assert numeral_distribution([TokenLogprobs("7</", 0.0)], (1, 10)) == {7: 1.0}
    assert numeral_distribution([TokenLogprobs("07", 0.0)], (0, 10)) == {}
    assert numeral_distribution([TokenLogprobs("12", 0.0)], (1, 10)) == {}
    assert numeral_distribution([TokenLogprobs("x", 0.0, {"x": math.log(0.5), "3": math.log(0.5)})], (1, 10)) == {
        3: pytest.approx(0.5)
    }
