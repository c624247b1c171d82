"""The Best-of-N file: each malformed row is refused naming the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patarm.analysis import load_candidates
from patarm.errors import InputError

GOOD = {"prompt": "2+2?", "responses": ["4", "5"], "correct": [True, False]}


def test_a_good_file_is_read_with_its_messages_ids_and_domains(tmp_path: Path) -> None:
    path = tmp_path / "bon.jsonl"
    chat = {**GOOD, "prompt": [{"role": "user", "content": "2+2?"}], "id": "q1", "domain": "math"}
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(chat) + "\n")
    rows = load_candidates(path)
    assert [r.key for r in rows] == ["line-1", "q1"]
    assert rows[1].prompt == [{"role": "user", "content": "2+2?"}] and rows[1].domain == "math"
    assert rows[0].responses == ("4", "5") and rows[0].correct == (True, False)


@pytest.mark.parametrize(
    ("row", "named"),
    [
        ("{not json", "line 2: not valid JSON"),
        (json.dumps([1, 2]), "line 2: expected a JSON object"),
        (json.dumps({"responses": ["a"], "correct": [True]}), "line 2, field 'prompt': missing"),
        (json.dumps({**GOOD, "prompt": ""}), "line 2, field 'prompt'"),
        (json.dumps({**GOOD, "prompt": [{"role": "user"}]}), "line 2, field 'prompt'[0]"),
        (json.dumps({**GOOD, "responses": []}), "line 2, field 'responses'"),
        (json.dumps({**GOOD, "responses": ["4", 5]}), "line 2, field 'responses'[1]"),
        (json.dumps({**GOOD, "correct": [True]}), "line 2, field 'correct': expected 2 booleans"),
        (json.dumps({**GOOD, "correct": [True, 1]}), "line 2, field 'correct'[1]: expected true or false"),
        (json.dumps({**GOOD, "id": 7}), "line 2, field 'id'"),
        (json.dumps({**GOOD, "domain": ["math"]}), "line 2, field 'domain'"),
    ],
)
def test_a_malformed_row_names_file_line_and_field(tmp_path: Path, row: str, named: str) -> None:
    path = tmp_path / "bon.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        load_candidates(path)
    assert str(caught.value).startswith(f"{path} {named}")


def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(InputError, match="no rows"):
        load_candidates(tmp_path / "empty.jsonl")
    with pytest.raises(InputError, match="no such file"):
        load_candidates(tmp_path / "absent.jsonl")
