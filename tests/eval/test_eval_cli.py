"""``patarm eval`` end to end: scores files, baselines, judge runs (resumed), compare, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patarm.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
RMBENCH = [str(p) for p in sorted((FIXTURES / "rmbench").glob("*.json"))]
RB = str(FIXTURES / "rewardbench.jsonl")
RB2 = str(FIXTURES / "rewardbench2.jsonl")
JUDGE = str(Path(__file__).parent / "scripted_judge.py") + ":judge"


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_scores_file_on_rewardbench(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(line) for line in Path(RB).read_text().splitlines()]
    lines = [{"id": r["id"], "scores_chosen": [2.0], "scores_rejected": [1.0]} for r in rows]
    lines[0]["scores_chosen"] = [None]  # a failed judgment
    lines[1]["scores_rejected"] = [2.0]  # a tie
    scores, out = write_jsonl(tmp_path / "scores.jsonl", lines), tmp_path / "report.json"
    assert main(["eval", "--benchmark", "rewardbench", "--data", RB, "--scores", str(scores), "-o", str(out)]) == 0
    result = report(out)
    assert set(result) >= {"overall", "sections", "subsets", "counts", "notes", "run"}
    assert result["subsets"]["alpacaeval-easy"] == 0.0 and result["sections"]["Chat"] == 0.0
    assert result["sections"] == {"Chat": 0.0, "Chat Hard": 1.0, "Safety": 1.0, "Reasoning": 1.0}
    assert result["overall"] == 0.75
    assert (
        result["counts"]["rows"] == 10 and result["counts"]["ties"] == 1 and result["counts"]["failed_judgments"] == 1
    )
    table = capsys.readouterr().out
    assert "| section | rows | score | tie % | failed |" in table and "| **overall** | 10 | 75.0 | 10.0 | 1 |" in table


def test_length_baseline_on_rmbench_says_math_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rm.json"
    assert main(["eval", "--benchmark", "rmbench", "--data", *RMBENCH, "--baseline", "length", "-o", str(out)]) == 0
    result = report(out)
    assert set(result) >= {"overall", "easy", "normal", "hard", "domains", "counts", "missing_domains"}
    assert set(result["domains"]) == {"chat", "code", "math", "safety"} and result["domains"]["math"] is None
    chat = result["domains"]["chat"]
    assert set(chat) >= {"easy", "normal", "hard", "score", "matrix", "counts"} and len(chat["matrix"]) == 3
    assert result["missing_domains"] == ["math"] and "not the official 4" in result["notes"][0]
    assert result["run"] == {"source": "baseline", "baseline": "length", "seed": 0, "data": RMBENCH}
    assert 0 <= result["overall"] <= 1 and result["counts"]["rows"] == 24
    table = capsys.readouterr().out
    assert "| **overall (3 of 4 domains)** | 24 |" in table and "| math | 0 | — |" in table


def test_judge_run_resumes_after_an_interruption(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache, first, second = tmp_path / "cache.jsonl", tmp_path / "a.json", tmp_path / "b.json"
    base = ["eval", "--benchmark", "rewardbench2", "--data", RB2, "--backend", "python", "--model", JUDGE, "-k", "2"]
    base += ["--chunk", "8"]
    assert main([*base, "--cache", str(tmp_path / "fresh.jsonl"), "-o", str(first)]) == 0
    assert main([*base, "--cache", str(cache), "--limit", "3"]) == 0  # rows 0-2 done: 12 responses
    lines = cache.read_text().splitlines()
    assert len(lines) == 1 + 12
    cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:30])  # the last record cut short
    capsys.readouterr()
    assert main([*base, "--cache", str(cache), "-o", str(second)]) == 0
    out = capsys.readouterr().out
    assert "was cut short (an interrupted write): dropped, redone" in out
    a, b = report(first), report(second)
    # 11 records survive the cut; responses that recur in the data reuse them too
    assert b["run"]["from_cache"] == 18 and b["run"]["judged"] + b["run"]["from_cache"] == 43
    assert {k: a[k] for k in ("overall", "subsets", "ties", "counts")} == {
        k: b[k] for k in ("overall", "subsets", "ties", "counts")
    }
    assert b["run"]["samples"] == 86 and b["run"]["mode"] == "pointwise"


def test_pairwise_mode_reports_position_agreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {"id": 1, "prompt": "Say hi.", "chosen": "Hello there, friend", "rejected": "hi", "subset": "alpacaeval-easy"},
        {"id": 2, "prompt": "POSITION", "chosen": "a longer answer", "rejected": "short", "subset": "alpacaeval-easy"},
    ]
    data, out = write_jsonl(tmp_path / "rb.jsonl", rows), tmp_path / "pw.json"
    args = ["eval", "--benchmark", "rewardbench", "--data", str(data), "--mode", "pairwise"]
    assert main([*args, "--backend", "python", "--model", JUDGE, "-o", str(out)]) == 0
    result = report(out)
    assert result["run"]["position_agreement"] == 0.5 and result["run"]["orders_compared"] == 2
    assert result["subsets"]["alpacaeval-easy"] == 0.5
    assert "position agreement 50.0% of 2 pairs" in capsys.readouterr().out


def test_compare_two_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    length, rand = tmp_path / "length.json", tmp_path / "random.json"
    for name, path in (("length", length), ("random", rand)):
        assert main(["eval", "--benchmark", "rmbench", "--data", *RMBENCH, "--baseline", name, "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["eval", "--compare", str(length), str(rand)]) == 0
    out = capsys.readouterr().out
    assert "| metric | length | random | random - length |" in out
    a, b = report(length)["overall"], report(rand)["overall"]
    assert f"| overall | {100 * a:.1f} | {100 * b:.1f} | {100 * (b - a):+.1f} |" in out


def test_skip_malformed_rows_are_counted(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in Path(RB).read_text().splitlines()]
    rows[3]["chosen"] = None
    data, out = write_jsonl(tmp_path / "rb.jsonl", rows), tmp_path / "r.json"
    scores = write_jsonl(
        tmp_path / "s.jsonl", [{"id": r["id"], "scores_chosen": [1], "scores_rejected": [0]} for r in rows]
    )
    args = ["eval", "--benchmark", "rewardbench", "--data", str(data), "--scores", str(scores), "-o", str(out)]
    assert main([*args, "--skip-malformed"]) == 0
    result = report(out)
    assert result["counts"]["skipped_rows"] == 1 and result["counts"]["rows"] == 9
    assert result["skipped"][0]["row"] == 3 and "field 'chosen'" in result["skipped"][0]["reason"]
    assert any("1 malformed row(s) skipped" in n for n in result["notes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--benchmark", "rewardbench3", "--data", RB, "--baseline", "length"], "unknown benchmark 'rewardbench3'"),
        (["--data", RB, "--baseline", "length"], "--benchmark and --data are required"),
        (["--benchmark", "rmbench", "--data", RB, "--baseline", "length"], "row 0 of rewardbench.jsonl: field "),
        (
            [
                "--benchmark",
                "rewardbench2",
                "--data",
                RB2,
                "--mode",
                "pairwise",
                "--backend",
                "python",
                "--model",
                JUDGE,
            ],
            "the Ties subset (4 rows) is scored from per-response scores",
        ),
        (
            ["--benchmark", "rewardbench", "--data", RB, "--baseline", "length", "--subsets", "poetry"],
            "--subsets: no rows in subset(s) poetry",
        ),
        (
            ["--benchmark", "rewardbench", "--data", RB, "--mode", "pairwise", "--compare-by", "expected"],
            "compare_by 'expected' needs a pointwise judge",
        ),
    ],
)
def test_clear_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["eval", *args]) == 2
    assert message in capsys.readouterr().err


def test_malformed_row_and_scores_mismatch_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(line) for line in Path(RB).read_text().splitlines()]
    rows[2]["rejected"] = 5
    bad = write_jsonl(tmp_path / "bad.jsonl", rows)
    assert main(["eval", "--benchmark", "rewardbench", "--data", str(bad), "--baseline", "length"]) == 2
    assert "row 2 of bad.jsonl: field 'rejected': expected a string, got 5" in capsys.readouterr().err
    scores = write_jsonl(tmp_path / "s.jsonl", [{"id": 77, "scores_chosen": [1], "scores_rejected": [0]}])
    assert main(["eval", "--benchmark", "rewardbench", "--data", RB, "--scores", str(scores)]) == 2
    assert "s.jsonl line 1: id '77' is not a row of the benchmark data (scores file id mismatch)" in (
        capsys.readouterr().err
    )


def test_subsets_and_limit_are_noted(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["eval", "--benchmark", "rewardbench2", "--data", RB2, "--baseline", "length", "--subsets", "math", "ties"]
    assert main([*args, "-o", str(out)]) == 0
    result = report(out)
    assert set(result["subsets"]) == {"Math", "Ties"} and result["counts"]["rows"] == 5
    assert any("evaluated 5 of 10 rows" in n for n in result["notes"])
    assert main([*args[:-2], " MATH ", "Ties", "-o", str(out)]) == 0  # case and spaces aside
    assert set(report(out)["subsets"]) == {"Math", "Ties"}
    args = ["eval", "--benchmark", "rmbench", "--data", *RMBENCH, "--baseline", "length", "--subsets", "safety"]
    assert main([*args, "-o", str(out)]) == 0
    result = report(out)
    assert result["counts"]["rows"] == 12 and result["missing_domains"] == ["chat", "code", "math"]


def test_failure_policy_defaults_to_wrong_and_every_report_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [json.loads(line) for line in Path(RB).read_text().splitlines()]
    lines = [{"id": r["id"], "scores_chosen": [2.0], "scores_rejected": [1.0]} for r in rows]
    lines[0]["scores_rejected"] = [None]  # the REJECTED side's judgment failed
    scores = write_jsonl(tmp_path / "scores.jsonl", lines)
    base = ["eval", "--benchmark", "rewardbench", "--data", RB, "--scores", str(scores)]
    wrong, loses = tmp_path / "wrong.json", tmp_path / "loses.json"
    assert main([*base, "-o", str(wrong)]) == 0
    assert "failed judgments scored as `wrong`" in capsys.readouterr().out  # markdown, printed
    assert main([*base, "--failures", "loses", "-o", str(loses)]) == 0
    assert "failed judgments scored as `loses`" in capsys.readouterr().out
    a, b = report(wrong), report(loses)
    assert (a["failures"], b["failures"]) == ("wrong", "loses")  # JSON
    assert a["subsets"]["alpacaeval-easy"] < b["subsets"]["alpacaeval-easy"]  # only "loses" credits the failure
    assert main(["eval", "--compare", str(wrong), str(loses)]) == 0
    out = capsys.readouterr().out
    assert "failed judgments scored as: wrong `wrong`, loses `loses`" in out and "do not compare" in out
