"""The real command line: a closed pipe ends quietly; every input error names its file (once) and line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm._stream import lone_surrogate_field

JUDGE = str(Path(__file__).parent / "length_judge.py") + ":judge"
PAIR = {"prompt": "hi", "chosen": "a", "rejected": "b"}


def _patarm(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "patarm", *argv], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("argv", [["rubrics", "list"], ["rubrics", "show", "chat"], ["--help"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(argv: list[str]) -> None:
    # the read end is closed before the command has started writing: its first write finds no reader
    proc = subprocess.Popen(
        [sys.executable, "-m", "patarm", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=300) in (0, 141)
    assert err == ""


def _write_lines(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ('{"prompt": "hi \\ud800", "chosen": "a", "rejected": "b"}', "field 'prompt': holds a lone UTF-16 surrogate"),
        (
            '{"prompt": "hi", "chosen": [{"role": "assistant", "content": "x\\udfff"}], "rejected": "b"}',
            "field 'chosen[0].content': holds a lone UTF-16 surrogate",
        ),
        (b'{"prompt": "hi \xff", "chosen": "a", "rejected": "b"}', "not valid UTF-8"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["data", "convert"],
        ["data", "build-verl"],
        ["audit", "--backend", "python", "--model", JUDGE],
    ],
)
def test_a_bad_character_names_file_and_line(
    tmp_path: Path, command: list[str], second: str | bytes, reason: str
) -> None:
    data = _write_lines(tmp_path / "in.jsonl", json.dumps(PAIR), second)
    out = tmp_path / ("out" if command[0] == "audit" else "out.parquet" if "verl" in command[1] else "out.jsonl")
    run = _patarm(*command, "-i", str(data), "-o", str(out), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert f"error: {data} line 2: {reason}" in last
    assert last.count(str(data)) == 1 and "Traceback" not in run.stderr


def test_a_lone_surrogate_in_a_json_list_names_the_row(tmp_path: Path) -> None:
    data = tmp_path / "in.json"
    data.write_text(json.dumps([PAIR, {**PAIR, "rejected": "b\ud800"}]), encoding="utf-8")
    run = _patarm("data", "convert", "-i", str(data), "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert run.returncode == 2
    assert f"error: {data} row 1: field 'rejected': holds a lone UTF-16 surrogate" in run.stderr


def test_judge_names_the_line_of_a_lone_surrogate(tmp_path: Path) -> None:
    data = _write_lines(
        tmp_path / "in.jsonl", '{"prompt": "hi", "response": "a"}', '{"prompt": "hi", "response": "\\ud800"}'
    )
    run = _patarm(
        "judge", "-i", str(data), "-o", str(tmp_path / "out.jsonl"), "--backend", "python", "--model", JUDGE,
        "--domain", "chat", cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 2
    assert f"error: {data} line 2: field 'response': holds a lone UTF-16 surrogate" in run.stderr


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ('{"prompt": "hi", "chosen": "a"}', "line 2: field 'rejected': expected a string or a chat-message list"),
        ('{"prompt": "hi", "chosen": "a"', "line 2: not valid JSON"),
    ],
)
def test_audit_names_the_file_once(tmp_path: Path, second: str, reason: str) -> None:
    data = _write_lines(tmp_path / "f.jsonl", json.dumps(PAIR), second)
    run = _patarm("audit", "-i", str(data), "--backend", "python", "--model", JUDGE, "-o", "out", cwd=tmp_path)
    assert run.returncode == 2
    assert f"patarm audit: error: {data} {reason}" in run.stderr
    assert run.stderr.count(str(data)) == 1


TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF), max_size=6)
JSONISH = st.recursive(TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3))


@given(JSONISH)
def test_a_lone_surrogate_is_found_exactly_when_the_value_cannot_be_written_as_utf8(value: object) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        writable = True
    except UnicodeEncodeError:
        writable = False
    assert (lone_surrogate_field(value) is None) == writable
