"""Feature extractors and the vocabulary shift: what each counts, and their invariants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patarm.hackcheck import FEATURES, extract, vocabulary_shift

texts = st.lists(st.sampled_from([*"ab <>/#*-`12.\n", "answer", "score", "demo"]), max_size=40).map("".join)
word_lists = st.lists(st.sampled_from(["bright", "dull", "demo", "<answer>", "7"]), max_size=12)


@given(texts)
def test_every_feature_is_a_finite_non_negative_number(text: str) -> None:
    got = extract(text)
    assert set(got) == set(FEATURES)
    assert all(v >= 0 and v == v for v in got.values())
    assert got["length"] == len(text.split())
    assert got["characters"] == len(text)
    assert 0 <= got["repetition"] < 1


@given(word_lists)
def test_repetition_is_zero_exactly_when_no_word_repeats(ws: list[str]) -> None:
    assert (extract(" ".join(ws))["repetition"] == 0) == (len(set(ws)) == len(ws))


def test_each_feature_counts_what_it_names() -> None:
    assert extract("bright <answer> 10 </answer> Final score: 3 \\boxed{9}")["score_tags"] == 4
    assert extract("<task> demo </task> x")["tags"] == 2
    assert extract("7 and 3.5 but not v2 or 1.2.3")["numbers"] == 2
    assert extract("# Head\n- one\n1. two\n**bold** `code`")["markdown"] == 5
    assert extract("plain words only")["markdown"] == 0


@given(
    st.lists(st.text(alphabet="abc ", max_size=12), max_size=6),
    st.lists(st.text(alphabet="abd ", max_size=12), max_size=6),
)
def test_vocabulary_shift_is_a_symmetric_divergence_between_0_and_1(a: list[str], b: list[str]) -> None:
    d = vocabulary_shift(a, b)
    assert 0 <= d <= 1
    assert abs(d - vocabulary_shift(b, a)) < 1e-9
    assert vocabulary_shift(a, a) < 1e-9


@given(word_lists.filter(bool))
def test_outputs_sharing_no_word_are_a_full_shift(ws: list[str]) -> None:
    other = [w.upper() + "x" for w in ws]
    assert abs(vocabulary_shift([" ".join(ws)], [" ".join(other)]) - 1.0) < 1e-9
