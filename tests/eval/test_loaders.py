"""Loading the three benchmarks from local files; malformed rows named, or skipped and counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patarm.eval import load_benchmark, load_rewardbench, load_rewardbench2, load_rmbench, read_scores
from patarm.types import RowError

FIXTURES = Path(__file__).parent / "fixtures"
RMBENCH_FILES = sorted((FIXTURES / "rmbench").glob("*.json"))


def write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(rows))
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def rm_row(row_id: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": row_id, "prompt": "q", "chosen": ["a", "bb", "ccc"], "rejected": ["d", "ee", "fff"], **extra}


def test_rmbench_per_domain_files_take_the_domain_from_the_file_name() -> None:
    data = load_rmbench(RMBENCH_FILES)
    assert data.benchmark == "rmbench" and len(data.rows) == 24 and data.skipped == ()
    parts = {row.part for row in data.rows}
    assert parts == {"chat", "code", "safety-refuse", "safety-response"}
    assert {row.domain for row in data.rows} == {"chat", "code", "safety"}
    code = next(row for row in data.rows if row.part == "code")
    assert code.key == f"code/{code.id}" and code.subset == "bigcode/humanevalpack"
    assert len(code.chosen) == len(code.rejected) == 3


def test_rmbench_total_dataset_uses_the_domain_field(tmp_path: Path) -> None:
    rows = [rm_row(1, domain="chat"), rm_row(1, domain="safety-response"), rm_row(2, domain="math")]
    data = load_rmbench([write_json(tmp_path / "total_dataset.json", rows)])
    assert [(r.key, r.domain) for r in data.rows] == [
        ("chat/1", "chat"),
        ("safety-response/1", "safety"),
        ("math/2", "math"),
    ]


def test_rmbench_domain_given_for_a_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "mine.json", [rm_row()])
    assert load_rmbench([f"math={path}"]).rows[0].domain == "math"
    assert load_rmbench([path], domain="safety-refuse").rows[0].key == "safety-refuse/1"
    with pytest.raises(RowError, match=r"row 0 of mine.json: field 'domain': expected an RM-Bench domain"):
        load_rmbench([path])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            rm_row(chosen=["a", "b"]),
            r"row 0 of chat.json: field 'chosen': expected a list of 3 strings, got \['a', 'b'\]",
        ),
        (rm_row(rejected=["a", "b", 3]), "field 'rejected': expected a list of 3 strings"),
        (
            {"id": 1, "prompt": "q", "chosen": ["a", "b", "c"]},
            "field 'rejected': expected a list of 3 strings "
            r"\(the field is missing\)",
        ),
        (rm_row(prompt=None), "field 'prompt': expected a string or a non-empty list of {role, content} messages"),
        (rm_row(row_id=True), "field 'id': expected a non-empty string or an integer"),
        (rm_row(domain="poetry"), "field 'domain': expected one of chat, code, math"),
    ],
)
def test_malformed_rmbench_rows_name_the_row_and_field(tmp_path: Path, row: dict[str, Any], message: str) -> None:
    path = write_json(tmp_path / "chat.json", [rm_row(0), row])
    with pytest.raises(RowError, match=message.replace("row 0", "row 1")):
        load_rmbench([path])
    data = load_rmbench([path], skip_malformed=True)
    assert len(data.rows) == 1 and len(data.skipped) == 1
    assert data.skipped[0].row == 1 and "field" in data.skipped[0].reason


def test_duplicate_ids_are_malformed(tmp_path: Path) -> None:
    path = write_json(tmp_path / "code.json", [rm_row(5), rm_row(5)])
    with pytest.raises(
        RowError,
        match=r"row 1 of code.json: field 'id': expected an id unique in the benchmark "
        r"\(also at row 0 of code.json\)",
    ):
        load_rmbench([path])
    assert len(load_rmbench([path], skip_malformed=True).skipped) == 1


def test_rewardbench_rows() -> None:
    data = load_rewardbench([FIXTURES / "rewardbench.jsonl"])
    assert len(data.rows) == 10 and data.rows[0].key == "0" and data.rows[0].chosen == ("Red is a primary color.",)
    assert {r.subset for r in data.rows} >= {"math-prm", "hep-python", "donotanswer"}


def test_rewardbench_chat_prompts_and_bad_subsets(tmp_path: Path) -> None:
    row = {"id": 1, "prompt": [{"role": "user", "content": "hi"}], "chosen": "a", "rejected": "b", "subset": "shp"}
    assert load_rewardbench([write_jsonl(tmp_path / "a.jsonl", [row])]).rows[0].prompt == row["prompt"]
    bad = {**row, "subset": "poetry"}
    with pytest.raises(RowError, match=r"row 0 of b\.jsonl: field 'subset': expected a RewardBench subset"):
        load_rewardbench([write_jsonl(tmp_path / "b.jsonl", [bad])])
    bad = {**row, "chosen": ["a"]}
    with pytest.raises(RowError, match="field 'chosen': expected a string"):
        load_rewardbench([write_jsonl(tmp_path / "c.jsonl", [bad])])


def test_rewardbench_parquet(tmp_path: Path) -> None:
    import datasets

    rows = [json.loads(line) for line in (FIXTURES / "rewardbench.jsonl").read_text().splitlines()]
    datasets.Dataset.from_list(rows).to_parquet(str(tmp_path / "filtered.parquet"))
    assert len(load_benchmark("rewardbench", [tmp_path / "filtered.parquet"]).rows) == 10


def test_rewardbench2_rows_and_ties() -> None:
    data = load_rewardbench2([FIXTURES / "rewardbench2.jsonl"])
    assert len(data.rows) == 10
    tied = next(r for r in data.rows if r.id == "tied:0")
    assert tied.subset == "Ties" and len(tied.chosen) == 4 and len(tied.rejected) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subset": "Ties", "id": "7"}, "field 'id': expected 'ref:N' or 'tied:N' for a Ties row"),
        ({"chosen": ["a", "b"]}, "field 'chosen': expected a list of 1 string, got"),
        ({"num_correct": 2}, r"field 'num_correct': expected the number of chosen responses \(1\)"),
        ({"subset": "Poetry"}, "field 'subset': expected one of Factuality, Precise IF, Math, Safety, Focus, Ties"),
    ],
)
def test_malformed_rewardbench2_rows(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    row = {"id": "1", "prompt": "q", "chosen": ["a"], "rejected": ["b", "c", "d"], "subset": "Math", **change}
    with pytest.raises(RowError, match=message):
        load_rewardbench2([write_jsonl(tmp_path / "rb2.jsonl", [row])])


def test_unknown_benchmark_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown benchmark 'rewardbench3'"):
        load_benchmark("rewardbench3", [tmp_path / "x.json"])
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_benchmark("rmbench", [tmp_path / "chat.json"])


def test_scores_file_matches_rows_by_id_and_domain(tmp_path: Path) -> None:
    data = load_rmbench(
        [write_json(tmp_path / "chat.json", [rm_row(8)]), write_json(tmp_path / "code.json", [rm_row(8)])]
    )
    line = {"id": 8, "scores_chosen": [1, 2, 3], "scores_rejected": [0, None, 0]}
    path = write_jsonl(tmp_path / "s.jsonl", [{**line, "domain": "code"}, {**line, "domain": "chat"}])
    scores = read_scores(path, data)
    assert [s.domain for s in scores] == ["chat", "code"] and scores[0].rejected == (0.0, None, 0.0)
    with pytest.raises(ValueError, match=r"s.jsonl line 1: id '8' matches several rows \(chat/8, code/8\)"):
        read_scores(write_jsonl(tmp_path / "s.jsonl", [line]), data)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"id": 99, "scores_chosen": [1], "scores_rejected": [0]}], "line 1: id '99' is not a row of the benchmark"),
        (
            [{"id": 0, "scores_chosen": [1, 2], "scores_rejected": [0]}],
            "line 1: field 'scores_chosen': expected a list of 1 number",
        ),
        ([{"id": 0, "scores_chosen": ["x"], "scores_rejected": [0]}], r"field 'scores_chosen'\[0\]: expected a finite"),
        ([{"id": 0, "scores_chosen": [1], "scores_rejected": [0]}] * 2, "line 2: a second line for row '0'"),
        ([{"id": 0, "scores_chosen": [1], "scores_rejected": [0]}], "no scores for 9 of 10 rows"),
    ],
)
def test_scores_file_errors(tmp_path: Path, lines: list[dict[str, Any]], message: str) -> None:
    data = load_rewardbench([FIXTURES / "rewardbench.jsonl"])
    with pytest.raises(ValueError, match=message):
        read_scores(write_jsonl(tmp_path / "scores.jsonl", lines), data)
