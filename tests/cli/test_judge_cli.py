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


def judge(*args: str) -> int:
    return main(["judge", "--backend", "python", "--model", JUDGE, *args])


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


@pytest.mark.slow
def test_judge_with_the_tiny_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS[:2]), tmp_path / "out.jsonl"
    assert main(["judge", "-i", str(data), "-o", str(out), "--backend", "tiny", "--max-new-tokens", "6"]) == 0
    assert [r["id"] for r in lines(out)] == ["p1", "p2"]
    assert "judge rollouts                    4" in capsys.readouterr().out
