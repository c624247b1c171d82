"""HeuristicRouter: the same decisions as its rules read case-insensitively, in linear time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given

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


def reference_route(prompt: str) -> str:
    return next((rule for _, rule, pattern in REFERENCE if pattern.search(prompt)), "chat: no other rule matched")


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
