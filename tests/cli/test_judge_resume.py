"""``patarm judge`` resumes only onto the same content: reordered, edited and appended rows
between runs never reuse a stale judgment; a failed start writes nothing; a settings mismatch
names exactly the settings that differ."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from patarm.cli import main

JUDGE = str(Path(__file__).parent / "length_judge.py") + ":judge"
ROWS = [
    {"pair_id": "p1", "prompt": "Say hi.", "chosen": "Hello there", "rejected": "hi"},
    {"pair_id": "p2", "prompt": "What is 2+2?", "chosen": "4", "rejected": "five"},
    {"pair_id": "p3", "prompt": "Name a color.", "chosen": "crimson", "rejected": "red"},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def judge(*args: str, model: str = JUDGE) -> int:
    return main(["judge", "--backend", "python", "--model", model, *args])


def scores(path: Path) -> dict[str, tuple[object, object]]:
    out = {}
    for record in lines(path):
        chosen, rejected = record["chosen"], record["rejected"]
        assert isinstance(chosen, dict) and isinstance(rejected, dict)
        out[str(record["id"])] = (chosen["score"], rejected["score"])
    return out


def figure(text: str, name: str) -> str:
    """The value printed beside ``name`` in the run's summary."""
    found = re.search(rf"^{re.escape(name)} +(\S+)$", text, re.MULTILINE)
    assert found, (name, text)
    return found.group(1)


def fresh(tmp_path: Path, rows: list[dict[str, object]], name: str) -> dict[str, tuple[object, object]]:
    folder = tmp_path / name
    folder.mkdir()
    data = write_jsonl(folder / "rows.jsonl", rows)
    assert judge("-i", str(data), "-o", str(folder / "out.jsonl")) == 0
    return scores(folder / "out.jsonl")


@pytest.mark.parametrize("mode", ["pointwise", "pairwise"])
def test_a_reordered_input_reuses_each_rows_own_judgment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    rows = [{k: v for k, v in r.items() if k != "pair_id"} for r in ROWS]  # ids are row numbers
    out = tmp_path / "out.jsonl"
    assert judge("-i", str(write_jsonl(tmp_path / "a.jsonl", rows)), "-o", str(out), "--mode", mode) == 0
    before = [{k: v for k, v in r.items() if k != "id"} for r in lines(out)]
    capsys.readouterr()
    with pytest.warns(UserWarning, match="judged before with other content"):  # row 0 is now another row
        assert judge("-i", str(write_jsonl(tmp_path / "b.jsonl", rows[::-1])), "-o", str(out), "--mode", mode) == 0
    assert [{k: v for k, v in r.items() if k != "id"} for r in lines(out)] == before[::-1]
    text = capsys.readouterr().out
    items = 3 if mode == "pairwise" else 6
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("0", str(items))


def test_an_edited_row_is_judged_again_and_its_reused_id_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out)) == 0
    edited = [dict(r) for r in ROWS]
    edited[1]["chosen"] = "four, as two and two make four"
    capsys.readouterr()
    with pytest.warns(UserWarning, match="p2"):
        assert judge("-i", str(write_jsonl(tmp_path / "b.jsonl", edited)), "-o", str(out)) == 0
    text = capsys.readouterr().out
    assert scores(out) == fresh(tmp_path, edited, "fresh")
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("1", "5")
    assert figure(text, "ids judged before with other content") == "1"


def test_appended_rows_are_judged_and_the_rest_reused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert judge("-i", str(write_jsonl(tmp_path / "a.jsonl", ROWS[:2])), "-o", str(out)) == 0
    capsys.readouterr()
    assert judge("-i", str(write_jsonl(tmp_path / "b.jsonl", ROWS)), "-o", str(out)) == 0
    text = capsys.readouterr().out
    assert scores(out) == fresh(tmp_path, ROWS, "fresh")
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("2", "4")


def test_the_chunk_size_may_change_between_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--limit", "2", "--chunk-rows", "1", "--samples", "2") == 0
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out), "--chunk-rows", "5", "--samples", "2") == 0
    text = capsys.readouterr().out
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("2", "4")


def test_a_failed_start_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", ROWS), tmp_path / "out.jsonl"
    misspelt = str(Path(__file__).parent / "length_judge.py") + ":judg"
    assert judge("-i", str(data), "-o", str(out), model=misspelt) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out)) == 0  # the corrected command is not refused
    assert len(lines(out)) == 3


def test_a_judge_that_fails_on_the_first_chunk_leaves_no_file(tmp_path: Path) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", ROWS), tmp_path / "out.jsonl"
    raising = str(Path(__file__).parent / "failing_judge.py") + ":judge"
    assert judge("-i", str(data), "-o", str(out), model=raising) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_a_mismatch_names_each_differing_setting_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out)) == 0
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out), "--samples", "3", "--seed", "4") == 2
    err = capsys.readouterr().err
    assert "judge.samples: 1 then, 3 now" in err and "judge.seed: 0 then, 4 now" in err
    assert "temperature" not in err and "..." not in err  # only what differs, whole
