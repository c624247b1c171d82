"""HeuristicRouter: the same decisions as its rules read case-insensitively, in linear time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adversarial import adversarial_text, assert_fast, repeat
from patarm.rubrics import HeuristicRouter
from patarm.rubrics._routing import _RULES

# The rules as first written: every pattern case-insensitive except the code-syntax and the
# formula rules, and the code rule's indent as \s* (which crosses newlines: the same matches
# under MULTILINE, but quadratic time on a run of newlines, so the reference only sees short text).
REFERENCE = [
    (domain, rule, re.compile(pattern.pattern, (re.IGNORECASE if fold else 0) | pattern.flags))
    for domain, rule, pattern, fold in _RULES
]
REFERENCE[0] = (REFERENCE[0][0], REFERENCE[0][1], re.compile(_RULES[0][2].pattern.replace(r"^[^\S\n]*", r"^\s*"), re.M))


def reference_route(prompt: str, window: int | None = None) -> str:
    """The first rule that matches the prompt or, past ``2 * window`` characters, its first or
    last ``window`` characters."""
    texts = [prompt] if window is None or len(prompt) <= 2 * window else [prompt[:window], prompt[-window:]]
    return next(
        (rule for _, rule, pattern in REFERENCE if any(pattern.search(t) for t in texts)), "chat: no other rule matched"
    )


def test_reference_is_the_original_code_rule() -> None:
    assert REFERENCE[0][2].pattern.startswith(r"```|^\s*(def ")
    assert [fold for *_, fold in _RULES] == [False, True, False, True, True, True]


@pytest.mark.parametrize(
    ("prompt", "domain"),
    [
        ("\n\n\n  def f():", "code"),
        ("x\n  \n\timport os", "code"),
        ("DEF f", "chat"),  # the code-syntax rule is case-sensitive
        ("X^2", "chat"),  # so is the formula rule
        ("WRITE A PYTHON SCRIPT", "code"),
        ("\u0130MPORT nothing; only an \u0130", "chat"),
        ("wr\u0131te a \u017fcript", "code"),  # dotless i and long s, as case-insensitive matching reads them
        ("Solve for x", "math"),
    ],
)
def test_examples(prompt: str, domain: str) -> None:
    assert HeuristicRouter()(prompt) == domain
    assert reference_route(prompt).split(":")[0] == domain


@given(adversarial_text)
def test_route_equals_reference(prompt: str) -> None:
    assert HeuristicRouter().route(prompt).rule == reference_route(prompt)


@given(adversarial_text, st.integers(1, 30))
def test_windowed_route_equals_reference(prompt: str, window: int) -> None:
    assert HeuristicRouter(window=window).route(prompt).rule == reference_route(prompt, window)


def test_a_long_prompt_is_read_at_both_ends() -> None:
    window = HeuristicRouter().window
    assert window is not None
    filler = "Tell me about the weather. " * (window // 10)
    assert len(filler) > 2 * window
    assert HeuristicRouter()("Write a Python script. " + filler) == "code"
    assert HeuristicRouter()(filler + "Solve for x.") == "math"
    middle = filler + "Write a Python script. " + filler
    assert HeuristicRouter()(middle) == "chat"  # the middle of a long prompt is not read
    assert HeuristicRouter(window=None)(middle) == "code"
    assert HeuristicRouter(window=len(middle))(middle) == "code"


@pytest.mark.parametrize("window", [0, -1, True])
def test_window_must_be_positive(window: int) -> None:
    with pytest.raises(ValueError, match="window"):
        HeuristicRouter(window=window)


@pytest.mark.parametrize(
    ("unit", "prefix"),
    [
        ("\n", ""),  # quadratic before: every line start of a run of newlines rescanned the run
        ("\r\n", ""),
        (" \n", ""),
        (" ", "x"),
        ("\t", "x;"),
        ("1", ""),
        ("1 ", ""),
        ("$", ""),
        ("a", "at least "),
        ("function ", ""),
        ("hello world ", ""),
    ],
)
def test_one_megabyte_is_fast(unit: str, prefix: str) -> None:
    assert_fast(HeuristicRouter().route, repeat(unit, prefix=prefix))
    assert_fast(HeuristicRouter(window=None).route, repeat(unit, prefix=prefix))
