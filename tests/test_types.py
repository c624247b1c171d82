from __future__ import annotations

import pytest
from pydantic import ValidationError

from patarm.types import ChatMessage, Judgment, MalformedReason, PreferencePair, RowError


def test_pair_accepts_text_and_chat_prompts() -> None:
    text = PreferencePair(pair_id=7, prompt="hi", chosen="a", rejected="b", domain="chat")
    assert text.pair_id == "7"
    chat = PreferencePair.from_row(
        {"pair_id": "p", "prompt": [{"role": "user", "content": "hi"}], "chosen": "a", "rejected": "b"}
    )
    assert chat.prompt == [ChatMessage(role="user", content="hi")]
    assert chat.response("rejected") == "b"
    assert chat.role_of("a") == "chosen"


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ({"pair_id": "p", "prompt": "x", "rejected": "b"}, "chosen", "missing"),
        ({"pair_id": "p", "prompt": "x", "chosen": 3, "rejected": "b"}, "chosen", "a string"),
        ({"pair_id": "", "prompt": "x", "chosen": "a", "rejected": "b"}, "pair_id", "non-empty"),
        ({"pair_id": True, "prompt": "x", "chosen": "a", "rejected": "b"}, "pair_id", "non-empty"),
        ({"pair_id": "p", "prompt": [], "chosen": "a", "rejected": "b"}, "prompt", "non-empty list"),
        (
            {"pair_id": "p", "prompt": [{"role": "robot", "content": "x"}], "chosen": "a", "rejected": "b"},
            "prompt",
            "messages",
        ),
        ({"pair_id": "p", "prompt": "x", "chosen": "a", "rejected": "b", "score": 1}, "score", "no such field"),
    ],
)
def test_bad_rows_name_row_field_and_form(row: dict[str, object], field: str, expected: str) -> None:
    with pytest.raises(RowError) as info:
        PreferencePair.from_row(row, row_index=12)
    message = str(info.value)
    assert message.startswith("row 12: field ")
    assert info.value.field.split(".")[0] == field
    assert expected in message


def test_row_that_is_not_a_mapping() -> None:
    with pytest.raises(RowError, match="row 3: field '<row>': expected a mapping"):
        PreferencePair.from_row(["a", "b"], row_index=3)  # type: ignore[arg-type]


def test_role_of_rejects_unknown_and_identical() -> None:
    pair = PreferencePair(pair_id="p", prompt="x", chosen="a", rejected="b")
    with pytest.raises(ValueError, match="neither side"):
        pair.role_of("c")
    same = PreferencePair(pair_id="q", prompt="x", chosen="a", rejected="a")
    with pytest.raises(ValueError, match="identical"):
        same.role_of("a")


def test_judgment_has_score_xor_reason() -> None:
    assert Judgment(score=7.0).well_formed
    assert not Judgment(score=None, malformed_reason=MalformedReason.NO_ANSWER_TAG).well_formed
    with pytest.raises(ValidationError):
        Judgment(score=None)
    with pytest.raises(ValidationError):
        Judgment(score=3.0, malformed_reason=MalformedReason.OUT_OF_RANGE)


def test_records_round_trip_through_json() -> None:
    pair = PreferencePair(pair_id="p", prompt=[ChatMessage(role="user", content="q")], chosen="a", rejected="b")
    assert PreferencePair.model_validate_json(pair.model_dump_json()) == pair
    judgment = Judgment(score=None, raw="x", malformed_reason=MalformedReason.NOT_A_NUMBER)
    assert Judgment.model_validate_json(judgment.model_dump_json()) == judgment
