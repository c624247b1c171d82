"""The parser's fast paths give what its general path gives, on any text.

``parse_judgment`` reads a flat tag sequence (closed blocks side by side) with slices and
any other by a step per tag; for plain tag names it finds the stray ``</think>`` before the
first ``<think>`` with one ``rfind``, which the step-per-tag walk would also cut; the default
scale and a single thinking piece skip their general code. Each property below runs a fast
path and the general one on the same input, with texts built from the tags, ASCII text and
non-ASCII look-alikes (full-width brackets, zero-width spaces, other digits), so a fast path
that diverges in any case fails here, not only in the reference comparison.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adversarial import IGNORABLES, LOOKALIKES, OTHER_DIGITS
from patarm.parsing import (
    DEFAULT_SCALE,
    _joined,
    _read_flat,
    _scan,
    _tagged,
    _tags,
    _walk,
    check_scale,
    final_answer_span,
    parse_judgment,
)
from patarm.types import MalformedReason
from test_parsing import FAST_PATHS, reference_parse

NAME_SETS = [
    ("think", "answer", "criteria", "rationale"),
    ("r", "s", "c", "x"),
    ("t<k", "a>s", "c", "r"),
    ("think", "answer", "/answer", "rationale"),
]
TAG_TEXTS = [f"<{n}>" for n in NAME_SETS[0]] + [f"</{n}>" for n in NAME_SETS[0]]
TEXT_PIECES = [
    *"ab7 \n<>/", "\t", "\u00a0", "10", "think", "answer", "</", "<answer", "answer>",
    *IGNORABLES, *LOOKALIKES, *OTHER_DIGITS,
]  # fmt: skip

plain_or_lookalike = st.lists(st.sampled_from(TEXT_PIECES), max_size=8).map("".join)
soup = st.lists(st.sampled_from(TAG_TEXTS) | plain_or_lookalike, max_size=24).map("".join)


@st.composite
def flat_texts(draw: st.DrawFn) -> str:
    """Closed blocks side by side, each holding no tag, with text (or nothing) between."""
    tags = draw(st.lists(st.sampled_from(NAME_SETS[0]), max_size=8))
    out = [draw(plain_or_lookalike)]
    for name in tags:
        content = draw(plain_or_lookalike.filter(lambda s: "<" not in s or ">" not in s))
        out += [f"<{name}>", content, f"</{name}>", draw(plain_or_lookalike)]
    return "".join(out)


def renamed(text: str, names: tuple[str, str, str, str]) -> str:
    for original, name in zip(NAME_SETS[0], names, strict=True):
        text = text.replace(f"<{original}>", f"<{name}>").replace(f"</{original}>", f"</{name}>")
    return text


@given(flat_texts() | soup, st.sampled_from(NAME_SETS))
@example("<think>a</think>b<think>c</think><answer>7</answer>", NAME_SETS[0])
@example("<answer>1</answer>x<answer>2</answer><criteria>c</criteria>", NAME_SETS[0])
def test_slices_and_walk_agree_on_flat_sequences(text: str, names: tuple[str, str, str, str]) -> None:
    text = renamed(text, names)
    tags = _tags(*names)
    thinking, parts, codes, base = _tagged(text, tags)
    walked = _walk(text, list(thinking), parts, codes, base, tags)
    assert _scan(text, tags) == walked
    pairs = [codes[i : i + 2] for i in range(0, len(codes), 2)]
    if all(len(p) == 2 and p[0].isupper() and p[1] == p[0].lower() for p in pairs):  # flat: blocks side by side
        assert _read_flat(text, list(thinking), parts, codes, tags) == walked


@given(soup | flat_texts(), st.sampled_from(NAME_SETS[:2]))
@example("a</think>b</think><think>c</think></think>d<answer>7</answer>", NAME_SETS[0])
@example("</think></think>x", NAME_SETS[0])
@example("</think>x<answer>7</answer>", NAME_SETS[0])  # a stray close at 0: an empty thinking piece
def test_rfind_of_stray_closes_agrees_with_the_walk(text: str, names: tuple[str, str, str, str]) -> None:
    text = renamed(text, names)
    tags = _tags(*names)
    assert tags.literal
    assert _scan(text, tags) == _scan(text, dataclasses.replace(tags, literal=False))


@given(soup, st.booleans())
def test_default_scale_reads_as_the_same_scale_spelt_out(text: str, integer: bool) -> None:
    assert parse_judgment(text, integer=integer) == parse_judgment(text, (1, 10), integer=integer)
    assert check_scale(DEFAULT_SCALE) == check_scale((1, 10)) == (1.0, 10.0)


@given(st.lists(plain_or_lookalike, max_size=3))
@example([" a "])
@example(["a", "b"])
@example([" ", "b"])
def test_one_piece_joins_as_any_number_does(pieces: list[str]) -> None:
    stripped = [p.strip() for p in pieces if p.strip()]
    assert _joined(pieces) == ("\n\n".join(stripped) or None)


@pytest.mark.parametrize(
    "names",
    [*NAME_SETS, ("/think", "answer", "criteria", "think"), ("think", "answer", "c/r", "rationale")],
)
def test_tables_built_afresh_parse_as_the_reference(names: tuple[str, str, str, str]) -> None:
    """The tables of a tag-name setting are built once and kept; built again from nothing,
    they read every path's example as the reference does."""
    _tags.cache_clear()
    think, answer, criteria, rationale = names
    settings = {"think_tag": think, "answer_tag": answer, "criteria_tag": criteria, "rationale_tag": rationale}
    unread = {MalformedReason.UNCLOSED_THINK, MalformedReason.UNCLOSED_ANSWER, MalformedReason.NO_ANSWER_TAG}
    for example_text in FAST_PATHS:
        text = renamed(example_text, names)
        j = parse_judgment(text, **settings)
        *expected, answer_block = reference_parse(text, (1, 10), False, names)
        assert [j.score, j.malformed_reason, j.criteria, j.rationale, j.thinking] == expected
        span = final_answer_span(text, **settings)
        if span is None:
            assert j.malformed_reason in unread
        else:
            assert text[span[0] : span[1]] == answer_block
