"""``patarm data build-sft`` resumes only onto the same content: a pair edited under the same
pair id is judged again, reordered and appended pairs reuse only their own judgments, and the
chunk size may change between runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patarm.cli import main

TEACHER = str(Path(__file__).parent / "margin_teacher.py") + ":judge"
ROWS: list[dict[str, Any]] = [
    {"pair_id": "a", "prompt": "Say hi.", "chosen": "score:9 hello", "rejected": "score:3 go"},
    {"pair_id": "b", "prompt": "Say hi.", "chosen": "score:7 hi", "rejected": "score:2 no"},
    {"pair_id": "c", "prompt": "Say hi.", "chosen": "score:8 hey", "rejected": "score:1 x"},
]


def build(tmp_path: Path, rows: list[dict[str, Any]], name: str, *extra: str) -> list[dict[str, Any]]:
    data = tmp_path / f"{name}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "sft.jsonl"
    args = ["data", "build-sft", "-i", str(data), "-o", str(out), "--backend", "python", "--model", TEACHER]
    assert main([*args, "--teacher-cache", str(tmp_path / "teacher.jsonl"), "--quiet", "--margin", "0", *extra]) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def scores(rows: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    return [(r["pair_id"], r["role"], r["score"]) for r in rows]


def test_an_edited_pair_is_judged_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(tmp_path, ROWS, "first")
    edited = [dict(r) for r in ROWS]
    edited[1]["chosen"] = "score:5 hi"  # same pair id, other text: the old judgment (7) is stale
    capsys.readouterr()
    with pytest.warns(UserWarning, match="b/chosen"):
        rows = build(tmp_path, edited, "edited")
    assert ("b", "chosen", 5.0) in scores(rows) and ("b", "chosen", 7.0) not in scores(rows)
    text = capsys.readouterr().out
    assert "teacher judgments: 1 made now, 5 reused from" in text
    assert "pair ids judged before with other content: 1 (judged again)" in text


def test_reordered_and_appended_pairs_with_another_chunk_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path, ROWS[:2], "first", "--chunk-pairs", "1")
    capsys.readouterr()
    rows = build(tmp_path, [ROWS[2], ROWS[1], ROWS[0]], "reordered", "--chunk-pairs", "2")
    assert scores(rows) == [
        ("c", "chosen", 8.0), ("c", "rejected", 1.0), ("b", "chosen", 7.0), ("b", "rejected", 2.0),
        ("a", "chosen", 9.0), ("a", "rejected", 3.0),
    ]  # fmt: skip
    assert "teacher judgments: 2 made now, 4 reused from" in capsys.readouterr().out


def test_a_failed_start_leaves_no_teacher_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    args = ["data", "build-sft", "-i", str(data), "-o", str(tmp_path / "sft.jsonl"), "--backend", "python"]
    assert main([*args, "--model", TEACHER[:-1], "--quiet"]) == 2  # a misspelt function
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl"]
