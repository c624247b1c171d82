from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from patarm.cli import main

JUDGE = str(Path(__file__).parent / "length_judge.py") + ":judge"
ROWS = [
    {"pair_id": "p1", "prompt": "Say hi.", "chosen": "Hello there", "rejected": "hi", "domain": "chat"},
    {"pair_id": "p2", "prompt": [{"role": "user", "content": "What is 2+2?"}], "chosen": "4", "rejected": "five"},
    {"pair_id": "p3", "prompt": "Tell a joke.", "chosen": "BROKEN", "rejected": "ok"},
    {"pair_id": "p4", "prompt": "Name a color.", "chosen": "red", "rejected": "red"},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def figure(text: str, name: str) -> str:
    """The value printed beside ``name`` in the run's summary."""
    found = re.search(rf"^{re.escape(name)} +(.+)$", text, re.MULTILINE)
    assert found, (name, text)
    return found.group(1)


def judge(*args: str, model: str = JUDGE) -> int:
    return main(["judge", "--backend", "python", "--model", model, *args])


def test_pointwise_pairs_with_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--samples", "2") == 0
    records = lines(out)
    assert [r["id"] for r in records] == ["p1", "p2", "p3", "p4"]
    assert records[0]["chosen"]["score"] == 10.0 and records[0]["rejected"]["score"] == 2.0
    assert records[1]["domain"] == "math" and records[0]["domain"] == "chat"
    assert records[2]["chosen"]["malformed"] == 2 and records[2]["chosen"]["score"] is None
    summary = capsys.readouterr().out
    assert figure(summary, "rows") == "4" and figure(summary, "judged now") == "7"  # p4's two sides: one content
    assert figure(summary, "reused from the cache") == "1"
    assert figure(summary, "malformed rollouts") == "2" and figure(summary, "failed judgments") == "1"
    assert figure(summary, "pairs: chosen wins") == "1/4 (25.0%)"  # p2: "4" is shorter than "five"
    assert figure(summary, "pairs: ties or failures") == "2/4 (50.0%)"


def test_resume_skips_done_rows_and_drops_a_cut_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--limit", "2") == 0
    assert [r["id"] for r in lines(out)] == ["p1", "p2"]
    with (tmp_path / "out.cache.jsonl").open("a") as f:
        f.write('{"id": "p3", "chosen": {"sco')  # an interrupted write
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out)) == 0
    assert [r["id"] for r in lines(out)] == ["p1", "p2", "p3", "p4"]
    summary = capsys.readouterr().out
    assert "cut short (an interrupted write): dropped, redone" in summary
    assert figure(summary, "judged now") == "3"  # p3's two responses and p4's one (both sides alike)
    assert figure(summary, "reused from the cache") == "5"


def test_a_cache_from_other_settings_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--limit", "2") == 0
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out), "--samples", "3", "--seed", "4") == 2
    err = capsys.readouterr().err
    assert "made with other settings (judge.samples: 1 then, 3 now; judge.seed: 0 then, 4 now)" in err


def test_pairwise_reports_agreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--mode", "pairwise") == 0
    records = lines(out)
    assert records[0]["result"]["winner"] == "a" and records[0]["result"]["agreement"] is True
    assert "position agreement" in capsys.readouterr().out


def test_single_responses_parquet_and_dataset_folder(tmp_path: Path) -> None:
    import datasets

    rows = [{"id": "s1", "prompt": "q", "response": "abc"}, {"id": "s2", "prompt": "q", "response": "abcdef"}]
    datasets.Dataset.from_list(rows).to_parquet(str(tmp_path / "rows.parquet"))
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "ds"))
    for source in ("rows.parquet", "ds"):
        out = tmp_path / f"{source}.jsonl"
        assert judge("-i", str(tmp_path / source), "-o", str(out), "--domain", "chat") == 0
        assert [r["result"]["score"] for r in lines(out)] == [3.0, 6.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"prompt": "q", "chosen": "a"}],
            "bad.jsonl line 1: field 'rejected': expected 'prompt' plus 'chosen' and 'rejected'",
        ),
        ([{"prompt": "q", "chosen": 1, "rejected": "b"}], "bad.jsonl line 1: field 'chosen': expected a string"),
        (
            [{"id": 1, "prompt": "q", "response": "a"}, {"id": 1, "prompt": "q", "response": "b"}],
            "bad.jsonl line 2: field 'id': expected an id no earlier row has",
        ),
        (
            [{"prompt": "q", "response": "a", "domain": "poetry"}],
            "bad.jsonl line 1: field 'domain': expected a known domain (chat, code",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict[str, object]], message: str
) -> None:
    data = write_jsonl(tmp_path / "bad.jsonl", rows)
    assert judge("-i", str(data), "-o", str(tmp_path / "out.jsonl")) == 2
    assert message in capsys.readouterr().err


def test_rubric_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "legal.j2").write_text("{#- description: Law. -#}\nAccuracy: right law.")
    assert main(["rubrics", "--rubric-dir", str(tmp_path), "list"]) == 0
    listing = capsys.readouterr().out
    assert "legal" in listing and "Instruction Coverage, Instruction Constraints" in listing
    assert main(["rubrics", "show", "math"]) == 0
    assert "Logic: the method is sound" in capsys.readouterr().out
    assert main(["rubrics", "show", "poetry"]) == 2
    assert "known domains: chat, code" in capsys.readouterr().err


def test_rubric_dir_after_the_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rubrics list --rubric-dir D`` (where users write it) works as ``rubrics --rubric-dir D list``."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "legal.j2").write_text("{#- description: Law. -#}\nAccuracy: right law.")
    (second / "poetry.j2").write_text("Meter: scans.")
    assert main(["rubrics", "list", "--rubric-dir", str(first)]) == 0
    assert "legal" in capsys.readouterr().out
    assert main(["rubrics", "--rubric-dir", str(first), "list", "--rubric-dir", str(second)]) == 0
    listing = capsys.readouterr().out
    assert "legal" in listing and "poetry" in listing
    assert main(["rubrics", "show", "poetry", "--rubric-dir", str(second)]) == 0
    assert "Meter: scans." in capsys.readouterr().out


@pytest.mark.slow
def test_judge_with_the_tiny_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS[:2]), tmp_path / "out.jsonl"
    assert main(["judge", "-i", str(data), "-o", str(out), "--backend", "tiny", "--max-new-tokens", "6"]) == 0
    assert [r["id"] for r in lines(out)] == ["p1", "p2"]
    assert re.search(r"^judge rollouts +4$", capsys.readouterr().out, re.MULTILINE)


# Resuming onto the same content only: reordered, edited and appended rows never reuse a stale
# judgment; a failed start writes nothing; a settings mismatch names exactly what differs.
RESUME_ROWS: list[dict[str, object]] = [
    {"pair_id": "p1", "prompt": "Say hi.", "chosen": "Hello there", "rejected": "hi"},
    {"pair_id": "p2", "prompt": "What is 2+2?", "chosen": "4", "rejected": "five"},
    {"pair_id": "p3", "prompt": "Name a color.", "chosen": "crimson", "rejected": "red"},
]


def scores(path: Path) -> dict[str, tuple[object, object]]:
    out = {}
    for record in lines(path):
        chosen, rejected = record["chosen"], record["rejected"]
        assert isinstance(chosen, dict) and isinstance(rejected, dict)
        out[str(record["id"])] = (chosen["score"], rejected["score"])
    return out


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
    rows = [{k: v for k, v in r.items() if k != "pair_id"} for r in RESUME_ROWS]  # ids are row numbers
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
    data, out = write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out)) == 0
    edited = [dict(r) for r in RESUME_ROWS]
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
    assert judge("-i", str(write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS[:2])), "-o", str(out)) == 0
    capsys.readouterr()
    assert judge("-i", str(write_jsonl(tmp_path / "b.jsonl", RESUME_ROWS)), "-o", str(out)) == 0
    text = capsys.readouterr().out
    assert scores(out) == fresh(tmp_path, RESUME_ROWS, "fresh")
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("2", "4")


def test_the_chunk_size_may_change_between_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out), "--limit", "2", "--chunk-rows", "1", "--samples", "2") == 0
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out), "--chunk-rows", "5", "--samples", "2") == 0
    text = capsys.readouterr().out
    assert (figure(text, "judged now"), figure(text, "reused from the cache")) == ("2", "4")


def test_a_failed_start_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS), tmp_path / "out.jsonl"
    misspelt = str(Path(__file__).parent / "length_judge.py") + ":judg"
    criteria = ["--criteria-cache", str(tmp_path / "criteria.jsonl")]
    assert judge("-i", str(data), "-o", str(out), *criteria, model=misspelt) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out)) == 0  # the corrected command is not refused
    assert len(lines(out)) == 3


def test_a_judge_that_fails_on_the_first_chunk_leaves_no_file(tmp_path: Path) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS), tmp_path / "out.jsonl"
    raising = str(Path(__file__).parent / "failing_judge.py") + ":judge"
    assert judge("-i", str(data), "-o", str(out), model=raising) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_a_mismatch_names_each_differing_setting_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "a.jsonl", RESUME_ROWS), tmp_path / "out.jsonl"
    assert judge("-i", str(data), "-o", str(out)) == 0
    capsys.readouterr()
    assert judge("-i", str(data), "-o", str(out), "--samples", "3", "--seed", "4") == 2
    err = capsys.readouterr().err
    assert "judge.samples: 1 then, 3 now" in err and "judge.seed: 0 then, 4 now" in err
    assert "temperature" not in err and "..." not in err  # only what differs, whole
