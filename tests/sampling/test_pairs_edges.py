"""The pair toolkit's edges: which role arrays take chosen_mask's vectorised path, the mask's
dtype, and the errors pair_rows raises when rows are keyed by (source, id)."""

from __future__ import annotations

import numpy as np
import pytest

from patarm.sampling import _pairs, chosen_mask, pair_rows


@pytest.fixture
def role_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every role chosen_mask reads one at a time (its per-row path)."""
    calls: list[object] = []
    per_row = _pairs.normalize_role

    def counted(role: object, where: str = "") -> _pairs.Role:
        calls.append(role)
        return per_row(role, where)

    monkeypatch.setattr(_pairs, "normalize_role", counted)
    return calls


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["chosen", "rejected", "rejected"], [True, False, False]),
        (["rejected", "chosen"], [False, True]),
        (["chosen", "chosen"], [True, True]),
        (["rejected"], [False]),
        (np.array([True, False, True]), [True, False, True]),
    ],
)
def test_exact_words_and_bool_arrays_take_the_vectorised_path(
    role_calls: list[object], roles: list[object], expected: list[bool]
) -> None:
    mask = chosen_mask(roles, len(expected))
    assert mask.dtype == np.bool_ and mask.tolist() == expected
    assert role_calls == []  # no role was read one at a time


def test_other_spellings_are_read_one_at_a_time_into_a_bool_mask(role_calls: list[object]) -> None:
    mask = chosen_mask(["Chosen", " rejected", "chosen"], 3)
    assert mask.dtype == np.bool_ and mask.tolist() == [True, False, True]
    assert role_calls == ["Chosen", " rejected", "chosen"]


def test_a_list_mixing_words_and_bools_reads_each_role_as_normalize_role_does() -> None:
    assert chosen_mask(["rejected", True, False, " Chosen"], 4).tolist() == [False, True, False, True]
    assert chosen_mask([np.True_, "rejected"], 2).tolist() == [True, False]


def test_a_bad_role_in_an_array_is_shown_as_the_plain_value() -> None:
    with pytest.raises(
        ValueError, match=r"^roles\[1\]: expected 'chosen' or 'rejected' \(or a bool, True = chosen\), got 'winner'$"
    ):
        chosen_mask(np.array(["chosen", "winner"]), 2)


def test_a_sources_column_of_the_wrong_length_is_named() -> None:
    with pytest.raises(ValueError, match=r"^sources: expected 2 entries \(one per row\), got 1$"):
        pair_rows(["p", "p"], sources=["s"])
    with pytest.raises(ValueError, match=r"^roles: expected 2 entries \(one per row\), got 3$"):
        pair_rows(["p", "p"], roles=["chosen", "rejected", "chosen"])


def test_errors_about_a_pair_keyed_by_source_name_its_id() -> None:
    with pytest.raises(
        ValueError,
        match=r"^pair id 'p' names 1 row\(s\) \(2\); each pair id must name exactly two rows, "
        r"one chosen and one rejected$",
    ):
        pair_rows(["q", "q", "p"], sources=["s", "s", "s"])
    with pytest.raises(ValueError, match=r"^pair id 'q' names 3 row\(s\) \(0, 1, 2\); each pair id must"):
        pair_rows(["q", "q", "q"], sources=["s", "s", "s"])
    with pytest.raises(ValueError, match=r"^pair id 'q': both rows \(0, 1\) are chosen; "):
        pair_rows(["q", "q"], ["chosen", "chosen"], sources=["s", "s"])
    keys, rows = pair_rows(["q", "q", "p"], sources=["s", "s", "t"], drop_incomplete=True)
    assert keys == [("s", "q")] and rows == [(0, 1)]
