from __future__ import annotations

import re
import sys
from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from adversarial import OTHER_DIGITS, adversarial_text, assert_fast, repeat
from patarm.parsing import (
    escape_tags,
    final_answer_span,
    format_judgment,
    format_score,
    parse_judgment,
    parse_score,
)
from patarm.types import MalformedReason

TAGS = ["<think>", "</think>", "<answer>", "</answer>", "<criteria>", "</criteria>", "<rationale>", "</rationale>"]
PIECES = [*TAGS, "7", "10", "0", "11", "-3", "3.5", "1e0", "nan", "x", " ", "\n", "", "<", ">", "/", "answer"]

tag_soup = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=30).map("".join)
any_text = st.text() | tag_soup
plain = st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=40)
scales = st.tuples(st.integers(-5, 5), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1]))


def on_scale(scale: tuple[int, int]) -> st.SearchStrategy[float]:
    lo, hi = scale
    return st.integers(lo, hi).map(float) | st.floats(lo, hi, allow_nan=False)


# ---- examples: each rule of the module docstring ------------------------------------------


@pytest.mark.parametrize(
    ("text", "score", "reason"),
    [
        ("<answer>7</answer>", 7.0, None),
        ("<answer> 7.5 \n</answer>", 7.5, None),
        ("<answer>1</answer><answer>10</answer>", 10.0, None),
        ("<think><answer>9</answer></think>", None, MalformedReason.NO_ANSWER_TAG),
        ("<think>a<think>b</think><answer>9</answer></think><answer>2</answer>", 2.0, None),
        ("<think>never closed <answer>5</answer>", None, MalformedReason.UNCLOSED_THINK),
        ("opened by the template <answer>9</answer></think> <answer>4</answer>", 4.0, None),
        ("opened by the template <answer>9</answer></think> no final tag", None, MalformedReason.NO_ANSWER_TAG),
        ("<answer>7</answer> and then <answer>8", None, MalformedReason.UNCLOSED_ANSWER),
        ("<answer></answer>", None, MalformedReason.EMPTY_ANSWER),
        ("<answer>  </answer>", None, MalformedReason.EMPTY_ANSWER),
        ("<answer>seven</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>7/10</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>nan</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>inf</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>11</answer>", None, MalformedReason.OUT_OF_RANGE),
        ("<answer>0.99</answer>", None, MalformedReason.OUT_OF_RANGE),
        ("<answer>1e1</answer>", 10.0, None),
        ("<answer>+7</answer>", 7.0, None),
        ("<answer> 7 \t</answer>", 7.0, None),
        ("<answer>7.</answer>", 7.0, None),
        ("<answer>.7e1</answer>", 7.0, None),
        ("<answer>\uff17</answer>", None, MalformedReason.NOT_A_NUMBER),  # full-width 7
        ("<answer>\u0667</answer>", None, MalformedReason.NOT_A_NUMBER),  # Arabic-Indic 7
        ("<answer>\u06f7</answer>", None, MalformedReason.NOT_A_NUMBER),  # Extended Arabic-Indic 7
        ("<answer>\u096d</answer>", None, MalformedReason.NOT_A_NUMBER),  # Devanagari 7
        ("<answer>\U0001d7d5</answer>", None, MalformedReason.NOT_A_NUMBER),  # mathematical bold 7
        ("<answer>1\u0660</answer>", None, MalformedReason.NOT_A_NUMBER),  # 1 and an Arabic-Indic 0
        ("<answer>\u00a07</answer>", None, MalformedReason.NOT_A_NUMBER),  # a non-ASCII space
        ("<answer>7\u200b</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>1_0</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>Infinity</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>.</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>1e</answer>", None, MalformedReason.NOT_A_NUMBER),
        ("<answer>1e999</answer>", None, MalformedReason.OUT_OF_RANGE),
        ("\uff1canswer\uff1e7\uff1c/answer\uff1e", None, MalformedReason.NO_ANSWER_TAG),
        ("<\u200banswer>7</\u200banswer>", None, MalformedReason.NO_ANSWER_TAG),
        ("no tags at all", None, MalformedReason.NO_ANSWER_TAG),
        ("", None, MalformedReason.NO_ANSWER_TAG),
        ("</answer>7<answer>", None, MalformedReason.UNCLOSED_ANSWER),
        ("<ANSWER>7</ANSWER>", None, MalformedReason.NO_ANSWER_TAG),
    ],
)
def test_rules(text: str, score: float | None, reason: MalformedReason | None) -> None:
    judgment = parse_judgment(text)
    assert judgment.score == score
    assert judgment.malformed_reason == reason
    assert judgment.raw == text


def test_non_text_is_malformed_not_an_exception() -> None:
    for value in (None, 7, b"<answer>7</answer>", ["<answer>7</answer>"]):
        judgment = parse_judgment(value)
        assert (judgment.score, judgment.malformed_reason, judgment.raw) == (None, MalformedReason.NOT_TEXT, "")


def test_extracts_criteria_rationale_thinking() -> None:
    text = (
        "<think>let me check</think>\n<criteria>Correct result.</criteria>\n"
        "<rationale>It is right.</rationale>\n<answer>9</answer>"
    )
    j = parse_judgment(text)
    assert (j.score, j.criteria, j.rationale, j.thinking) == (9.0, "Correct result.", "It is right.", "let me check")


def test_rationale_falls_back_to_free_text() -> None:
    j = parse_judgment("<think>hm</think>The answer is right but terse.\n<answer>6</answer>")
    assert j.rationale == "The answer is right but terse."
    assert j.criteria is None
    assert parse_judgment("<answer>6</answer>").rationale is None


@pytest.mark.parametrize(
    ("content", "score"),
    [
        ("7", 7.0),
        ("7.0", 7.0),  # an integer value written with a decimal point is an integer
        ("+7", 7.0),
        (" 7 ", 7.0),
        ("0.7e1", 7.0),
        ("700e-2", 7.0),
        ("1e1", 10.0),
        ("7.5", None),
        ("7.00000000000000001", None),  # a float rounds it to 7.0; the numeral is not an integer
        ("75e-1", None),
        ("1e-99999999999999999999", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_integer_decides_on_the_exact_numeral(content: str, score: float | None) -> None:
    value, reason = parse_score(content, (1, 10), integer=True)
    assert value == score
    assert (reason is None) == (score is not None)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("0", None),  # zero is a whole number, whatever its exponent
        ("00e-5", None),
        (".0e-1", None),
        ("-0.000e-7", None),
        ("7.05e1", MalformedReason.NOT_AN_INTEGER),  # 70.5: a zero inside the fraction counts
        ("1.05e10", None),  # 10500000000: the exponent's own zeros count
        ("10e-10", MalformedReason.NOT_AN_INTEGER),
        ("7.5e0000000000000000000000", MalformedReason.NOT_AN_INTEGER),  # leading zeros: exponent 0
        ("1e-99999999999999999999", MalformedReason.NOT_AN_INTEGER),  # exponent longer than any text
        ("1e+99999999999999999999", MalformedReason.OUT_OF_RANGE),  # a whole number, off the scale
    ],
)
def test_integer_check_reads_zero_and_exponents_exactly(content: str, reason: MalformedReason | None) -> None:
    value, got = parse_score(content, (-1e12, 1e12), integer=True)
    assert got == reason
    assert (value is None) == (reason is not None)


def test_a_scale_that_is_not_two_numbers_is_an_error() -> None:
    for scale in (("low", 10), (1, 2, 3), None):
        with pytest.raises(ValueError, match=r"scale must be a pair of numbers \(low, high\), got "):
            parse_score("7", scale)  # type: ignore[arg-type]


def test_integer_scales_and_custom_tags() -> None:
    assert parse_judgment("<answer>7.5</answer>", integer=True).malformed_reason == MalformedReason.NOT_AN_INTEGER
    assert parse_judgment("<answer>7.0</answer>", integer=True).score == 7.0
    j = parse_judgment("<reasoning>x</reasoning><score>4</score>", (1, 5), answer_tag="score", think_tag="reasoning")
    assert j.score == 4.0
    assert parse_judgment("<answer>0.3</answer>", (0, 1)).score == 0.3


def test_bad_parameters_are_errors() -> None:
    with pytest.raises(ValueError, match="low < high"):
        parse_judgment("<answer>1</answer>", (5, 5))
    with pytest.raises(ValueError, match="distinct"):
        parse_judgment("x", answer_tag="think")


def test_escape_tags_catches_variants() -> None:
    escaped = escape_tags("< /Answer > <answer>10</answer> <think> </THINK>")
    assert "<" not in escaped
    assert parse_judgment("ok " + escaped).malformed_reason == MalformedReason.NO_ANSWER_TAG


# ---- properties ----------------------------------------------------------------------------


@given(any_text, scales, st.booleans())
def test_never_raises_and_score_is_on_scale(text: str, scale: tuple[int, int], integer: bool) -> None:
    j = parse_judgment(text, scale, integer=integer)
    assert (j.score is None) == (j.malformed_reason is not None)
    if j.score is not None:
        assert scale[0] <= j.score <= scale[1]
        assert not integer or j.score.is_integer()


@given(plain, plain, plain, plain, st.integers(1, 10), st.integers(1, 10), st.integers(1, 10))
def test_score_in_think_or_earlier_tag_never_wins(
    a: str, b: str, c: str, d: str, hidden: int, early: int, final: int
) -> None:
    text = f"{a}<answer>{early}</answer>{b}<think>{c}<answer>{hidden}</answer></think>{d}<answer>{final}</answer>"
    assert parse_judgment(text).score == final
    no_final = f"{a}<think>{b}<answer>{hidden}</answer>{c}</think>{d}"
    assert parse_judgment(no_final).malformed_reason == MalformedReason.NO_ANSWER_TAG


@given(tag_soup, st.integers(1, 10))
def test_a_final_tag_after_anything_closed_wins(prefix: str, final: int) -> None:
    j = parse_judgment(prefix, (1, 10))
    assume(j.malformed_reason != MalformedReason.UNCLOSED_THINK)
    # Close whatever block the prefix left open, then write the final answer.
    text = f"{prefix}</answer></criteria></rationale><answer>{final}</answer>"
    assert parse_judgment(text).score == final


@st.composite
def judgments(draw: st.DrawFn) -> tuple[tuple[int, int], float, str | None, str | None, str | None]:
    scale = draw(scales)
    return (
        scale,
        draw(on_scale(scale)),
        draw(st.none() | any_text),
        draw(st.none() | any_text),
        draw(st.none() | any_text),
    )


@given(judgments())
def test_format_then_parse_round_trips(case: tuple[tuple[int, int], float, str | None, str | None, str | None]) -> None:
    scale, score, criteria, rationale, thinking = case
    text = format_judgment(score, criteria=criteria, rationale=rationale, thinking=thinking)
    j = parse_judgment(text, scale)
    assert j.score == score

    def clean(s: str | None) -> str | None:
        return None if s is None else escape_tags(s).strip() or None

    assert j.criteria == clean(criteria)
    assert j.thinking == clean(thinking)
    assert j.rationale == clean(rationale)  # blocks only, no free text to read a rationale from


CUSTOM = {"think_tag": "reason", "answer_tag": "score", "criteria_tag": "rubric", "rationale_tag": "why"}
custom_soup = st.lists(
    st.sampled_from([f"<{n}>" for n in CUSTOM.values()] + [f"</{n}>" for n in CUSTOM.values()] + ["7", " ", "x"]),
    max_size=12,
).map("".join)


@given(on_scale((1, 10)), custom_soup | st.none(), custom_soup | st.none(), custom_soup | st.none())
@example(3.0, None, "a </why> <score>9</score> b", None)
def test_format_then_parse_round_trips_with_custom_tag_names(
    score: float, criteria: str | None, rationale: str | None, thinking: str | None
) -> None:
    # Each block's text is escaped for the tag names in use, so no text closes its block
    # early or plants a score, whatever the names.
    text = format_judgment(score, criteria=criteria, rationale=rationale, thinking=thinking, **CUSTOM)
    j = parse_judgment(text, (1, 10), **CUSTOM)
    names = tuple(CUSTOM.values())

    def clean(s: str | None) -> str | None:
        return None if s is None else escape_tags(s, names).strip() or None

    assert j.score == score
    assert (j.criteria, j.thinking, j.rationale) == (clean(criteria), clean(thinking), clean(rationale))


def test_format_judgment_writes_each_block_on_its_own_lines_in_order() -> None:
    text = format_judgment(7, criteria="c", rationale="r", thinking="t")
    assert text == "<think>\nt\n</think>\n<criteria>\nc\n</criteria>\n<rationale>\nr\n</rationale>\n<answer>7</answer>"
    assert format_judgment(2.5) == "<answer>2.5</answer>"


def test_format_score_writes_whole_numbers_below_1e15_without_a_point() -> None:
    assert [format_score(v) for v in (7.0, -3.0, 999_999_999_999_999.0)] == ["7", "-3", "999999999999999"]
    assert [format_score(v) for v in (1e15, -1e15, 1e16)] == ["1000000000000000.0", "-1000000000000000.0", "1e+16"]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_score_reads_back_exactly(score: float) -> None:
    value, reason = parse_score(format_score(score), (-sys.float_info.max, sys.float_info.max))
    assert reason is None and value == score


# ---- reference and linear time -------------------------------------------------------------


def reference_score(content: str, scale: tuple[int, int], integer: bool) -> tuple[float | None, MalformedReason | None]:
    """ASCII numerals by a separate grammar, the integer test on the exact decimal value."""
    text = content.strip(" \t\n\r\f\v")
    if not text:
        return None, MalformedReason.EMPTY_ANSWER
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,6})?", text, re.ASCII) is None:
        return None, MalformedReason.NOT_A_NUMBER
    exact = Decimal(text)
    if integer and exact != exact.to_integral_value():
        return None, MalformedReason.NOT_AN_INTEGER
    value = float(text)
    if not scale[0] <= value <= scale[1]:
        return None, MalformedReason.OUT_OF_RANGE
    return value, None


NAMES = ("think", "answer", "criteria", "rationale")


def reference_parse(
    text: str, scale: tuple[int, int], integer: bool, names: tuple[str, str, str, str] = NAMES
) -> tuple[object, ...]:
    """The module docstring's rules, written as directly as possible (copies and all), for
    tag names given as (think, answer, criteria, rationale)."""
    think, answer, criteria, rationale = names
    depth, thinking, free, open_at, blocks, prev, think_start = 0, [], [], {}, {}, 0, 0
    for m in re.finditer(f"<(/?)({'|'.join(map(re.escape, names))})>", text):
        if depth == 0 and not open_at:
            free.append(text[prev : m.start()])
        closing, name = m.group(1) == "/", m.group(2)
        if name == think and not closing:
            think_start = m.end() if depth == 0 else think_start
            depth += 1
        elif name == think and depth > 0:
            depth -= 1
            if depth == 0:
                thinking.append(text[think_start : m.start()])
        elif name == think:
            thinking, free, open_at, blocks = [text[: m.start()]], [], {}, {}
        elif depth == 0 and not closing:
            open_at[name] = m.end()
        elif depth == 0 and name in open_at:
            blocks[name] = text[open_at.pop(name) : m.start()]
        prev = m.end()
    if depth == 0 and not open_at:
        free.append(text[prev:])

    def joined(parts: list[str]) -> str | None:
        return "\n\n".join(p.strip() for p in parts if p.strip()) or None

    def cleaned(block: str | None) -> str | None:
        return None if block is None else block.strip() or None

    if depth > 0:
        score, reason = None, MalformedReason.UNCLOSED_THINK
    elif answer in open_at:
        score, reason = None, MalformedReason.UNCLOSED_ANSWER
    elif answer not in blocks:
        score, reason = None, MalformedReason.NO_ANSWER_TAG
    else:
        score, reason = reference_score(blocks[answer], scale, integer)
    rationale_text = cleaned(blocks[rationale]) if rationale in blocks else joined(free)
    return score, reason, cleaned(blocks.get(criteria)), rationale_text, joined(thinking), blocks.get(answer)


numerals = st.lists(st.sampled_from([*"0123456789+-.eE ", "\t", "\n", *OTHER_DIGITS]), max_size=12).map("".join)
answer_soup = st.lists(st.sampled_from(PIECES) | numerals.map(lambda n: f"<answer>{n}</answer>"), max_size=30).map(
    "".join
)


@given(adversarial_text | answer_soup | tag_soup, scales, st.booleans())
def test_parse_equals_reference(text: str, scale: tuple[int, int], integer: bool) -> None:
    j = parse_judgment(text, scale, integer=integer)
    assert (j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking) == reference_parse(text, scale, integer)[
        :5
    ]


FAST_PATHS = [
    "a</think>b</think>c<answer>7</answer>",  # stray closes before the first opening: found by rfind
    "<think>a</think></think>b<answer>7</answer></think>c<answer>8</answer>",  # later: by the balance
    "x</think><think>a</think></think>c<answer>7</answer><think>",  # both, then unclosed
    "</think></think><think><think></think></think>d<answer>6</answer>",  # nested after the strays
    "x</think><think>a</think></think><answer>7</answer><criteria>c</answer></criteria>",  # both, then the loop
    "<answer>3</answer> f <think>t</think><criteria> c </criteria><answer>7</answer> g",  # flat
    "<answer>3</answer><think><answer>2</answer></think>",  # a tag inside thinking: not flat
    "<think></think>" * 50 + "<answer>1</answer>" * 50 + "<rationale>r</rationale>",
    "<answer>1</answer><answer>",  # not flat: open at the end
    "<criteria></answer></criteria>",
    "",
    "no tags",
]


@pytest.mark.parametrize("text", FAST_PATHS)
@pytest.mark.parametrize(
    "names",
    [
        NAMES,
        ("r", "s", "c", "x"),
        ("t<k", "a>s", "c", "r"),
        ("think", "answer", "c/r", "rationale"),
        ("think", "answer", "/answer", "rationale"),
        ("/think", "answer", "criteria", "think"),
    ],
)
def test_every_path_equals_reference(text: str, names: tuple[str, str, str, str]) -> None:
    """Each way through the scanner (stray closes skipped by ``rfind`` or by the balance,
    flat block sequences read by slices, the loop, names holding ``<`` or ``>``) gives the
    reference result and the reference answer span."""
    for original, name in zip(NAMES, names, strict=True):
        text = text.replace(f"<{original}>", f"<{name}>").replace(f"</{original}>", f"</{name}>")
    think, answer, criteria, rationale = names
    tags = {"think_tag": think, "answer_tag": answer, "criteria_tag": criteria, "rationale_tag": rationale}
    j = parse_judgment(text, **tags)
    *expected, answer_block = reference_parse(text, (1, 10), False, names)
    assert [j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking] == expected
    span = final_answer_span(text, **tags)
    if span is not None:
        assert text[span[0] : span[1]] == answer_block
    else:
        assert j.malformed_reason is not None and j.malformed_reason != MalformedReason.NOT_A_NUMBER


@pytest.mark.parametrize(
    ("names", "text"),
    [
        # a name holding "<": the think close is written inside the criteria tags
        (("think", "answer", "</think", "rationale"), "<</think>c</</think><answer>7</answer>"),
        (("t<", "a<", "</t<", "r<"), "<</t<>c</</t<><a<>7</a<>"),
        # a name holding ">": the criteria tag is the start of the answer tag
        (("t", "a>", "a", "r"), "<a>c</a><a>>7</a>>"),
        (("t>", "a>>", "a>", "r>"), "<a>>c</a>><a>>>7</a>>>"),
    ],
)
def test_tags_inside_other_tags_are_not_tags(names: tuple[str, str, str, str], text: str) -> None:
    """A tag's text inside a longer tag is part of that tag, never a tag of its own."""
    think, answer, criteria, rationale = names
    tags = {"think_tag": think, "answer_tag": answer, "criteria_tag": criteria, "rationale_tag": rationale}
    j = parse_judgment(text, **tags)
    assert [j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking] == [7.0, None, "c", None, None]
    *expected, answer_block = reference_parse(text, (1, 10), False, names)
    assert [j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking] == expected
    span = final_answer_span(text, **tags)
    assert span is not None and text[span[0] : span[1]] == answer_block == "7"


@given(tag_soup, st.sampled_from([("t<k", "a>s", "c", "r"), ("r", "s", "c", "x"), ("think", "answer", "/answer", "r")]))
def test_custom_names_equal_reference(text: str, names: tuple[str, str, str, str]) -> None:
    for original, name in zip(NAMES, names, strict=True):
        text = text.replace(f"<{original}>", f"<{name}>").replace(f"</{original}>", f"</{name}>")
    think, answer, criteria, rationale = names
    j = parse_judgment(text, think_tag=think, answer_tag=answer, criteria_tag=criteria, rationale_tag=rationale)
    assert [j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking] == list(
        reference_parse(text, (1, 10), False, names)[:5]
    )


@given(numerals, scales, st.booleans())
def test_parse_score_equals_reference(content: str, scale: tuple[int, int], integer: bool) -> None:
    assert parse_score(content, scale, integer=integer) == reference_score(content, scale, integer)


@pytest.mark.parametrize(
    ("unit", "prefix", "suffix"),
    [
        ("</think>", "\U0001f600", "<answer>7</answer>"),  # quadratic before: each stray close copied the prefix
        ("</think>x", "", ""),
        ("<think>", "", ""),
        ("<answer>", "", ""),
        ("<answer></answer>", "", ""),
        ("9", "<answer>", "</answer>"),
        (" ", "<answer>", "7</answer>"),
        ("<", "", ""),
        ("\n", "", ""),
    ],
)
def test_one_megabyte_is_fast(unit: str, prefix: str, suffix: str) -> None:
    assert_fast(parse_judgment, repeat(unit, prefix=prefix, suffix=suffix))
