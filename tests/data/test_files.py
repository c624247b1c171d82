from __future__ import annotations

import json
from pathlib import Path

import pytest

from patarm.data import read_rows


def test_formats(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"x": 1}, {"x": 2}]))
    (tmp_path / "b.json").write_text(json.dumps({"data": [{"x": 3}]}))
    assert [r["x"] for r in read_rows(tmp_path / "a.json")] == [1, 2]
    assert read_rows(tmp_path / "b.json") == [{"x": 3}]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", '{"x": 1}\n{"x": \n', "bad.jsonl line 2: not valid JSON"),
        ("list.jsonl", "[1, 2]\n", "line 1: expected a JSON object, got list"),
        ("scalar.json", "3", "expected a JSON list of objects"),
        ("rows.xml", "<x/>", "unknown format '.xml'"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=message):
        read_rows(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        read_rows(tmp_path / "missing.jsonl")
