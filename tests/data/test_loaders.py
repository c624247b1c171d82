from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from patarm.data import (
    LoadReport,
    MalformedRowError,
    PairColumns,
    derived_pair_id,
    iter_loaded,
    iter_rows,
    load_pairs,
    pair_from_row,
)
from patarm.types import ChatMessage

TEXT_ROWS: list[dict[str, Any]] = [
    {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
    {"pair_id": "given", "prompt": "Say hi.", "chosen": "Hello!", "rejected": "go away", "domain": "chat"},
]


def chat(prompt: str, answer: str, system: str | None = None) -> list[dict[str, str]]:
    turns = [{"role": "system", "content": system}] if system else []
    return [*turns, {"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]


def test_text_rows_keep_given_ids_and_derive_the_rest() -> None:
    pairs = load_pairs(TEXT_ROWS)
    assert pairs[0].pair_id == derived_pair_id("2+2?", "4", "5")
    assert pairs[1].pair_id == "given" and pairs[1].domain == "chat"


def test_message_lists_share_a_prefix_that_becomes_the_prompt() -> None:
    row = {"chosen": chat("What is 2+2?", "4"), "rejected": chat("What is 2+2?", "5"), "source": "skywork"}
    pair = pair_from_row(row, 0)
    assert (pair.prompt, pair.chosen, pair.rejected, pair.source) == ("What is 2+2?", "4", "5", "skywork")
    multi = {"chosen": chat("Q", "good", system="Be kind."), "rejected": chat("Q", "bad", system="Be kind.")}
    pair = pair_from_row(multi, 1)
    assert pair.prompt == [ChatMessage(role="system", content="Be kind."), ChatMessage(role="user", content="Q")]


def test_ultrafeedback_shape_ignores_the_prompt_string() -> None:
    row = {"prompt": "Q", "prompt_id": "abc", "chosen": chat("Q", "yes"), "rejected": chat("Q", "no")}
    pair = pair_from_row(row, 0, PairColumns(ids=("prompt_id",)))
    assert pair.pair_id == "abc" and pair.prompt == "Q"


def test_rewardbench_rows_map_subset_to_source() -> None:
    row = {"prompt": "Q", "chosen": "a", "rejected": "b", "id": 30, "subset": "alpacaeval-easy"}
    pair = pair_from_row(row, 0)
    assert (pair.pair_id, pair.source) == ("30", "alpacaeval-easy")


def test_custom_column_names() -> None:
    cols = PairColumns(prompt="question", chosen="good", rejected="bad", ids=("uid",), domain=None)
    pair = pair_from_row({"question": "Q", "good": "a", "bad": "b", "uid": "u1", "domain": "math"}, 0, cols)
    assert (pair.pair_id, pair.chosen, pair.domain) == ("u1", "a", None)


MALFORMED: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": "Q", "chosen": "a"}, "missing_field", "rejected"),
    ({"chosen": "a", "rejected": "b"}, "missing_field", "prompt"),
    ({"prompt": "Q", "chosen": 3, "rejected": "b"}, "not_text", "chosen"),
    ({"prompt": "Q", "chosen": "a", "rejected": "  "}, "empty_text", "rejected"),
    ({"prompt": "", "chosen": "a", "rejected": "b"}, "empty_text", "prompt"),
    ({"prompt": "Q", "chosen": "same", "rejected": "same"}, "identical", "rejected"),
    ({"chosen": chat("Q", "a"), "rejected": chat("Other", "b")}, "prompt_mismatch", "rejected"),
    ({"chosen": chat("Q", "a"), "rejected": "b"}, "not_text", "rejected"),
    ({"chosen": [{"role": "user", "content": "Q"}], "rejected": chat("Q", "b")}, "bad_messages", "chosen"),
    ({"chosen": chat("Q", "a"), "rejected": [{"role": "robot", "content": "x"}] * 2}, "bad_messages", "rejected"),
    ({"chosen": chat("Q", ""), "rejected": chat("Q", "b")}, "empty_text", "chosen"),
    ({"prompt": "Q", "chosen": "a", "rejected": "b", "pair_id": 1.5}, "bad_id", "pair_id"),
]


@pytest.mark.parametrize(("row", "reason", "field"), MALFORMED)
def test_each_malformed_row_names_row_field_and_form(row: dict[str, Any], reason: str, field: str) -> None:
    with pytest.raises(MalformedRowError) as info:
        list(iter_loaded([TEXT_ROWS[0], row]))
    assert (info.value.reason, info.value.field, info.value.row) == (reason, field, 1)
    assert "row 1" in str(info.value) and "expected" in str(info.value)


def test_skip_counts_every_reason() -> None:
    rows = [TEXT_ROWS[0], *(row for row, _, _ in MALFORMED), TEXT_ROWS[0]]
    report = LoadReport()
    pairs = list(iter_loaded(rows, skip=True, report=report))
    assert len(pairs) == 1 and report.rows == len(rows) and report.kept == 1
    expected: dict[str, int] = {}
    for _, reason, _ in MALFORMED:
        expected[reason] = expected.get(reason, 0) + 1
    expected["duplicate_id"] = 1
    assert dict(report.skipped) == expected
    assert "rows skipped: 13" in report.lines()


def write_all(tmp: Path, rows: list[dict[str, Any]]) -> dict[str, Path]:
    paths = {"jsonl": tmp / "p.jsonl", "json": tmp / "p.json", "csv": tmp / "p.csv", "parquet": tmp / "p.parquet"}
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in rows))
    paths["json"].write_text(json.dumps(rows))
    with paths["csv"].open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["pair_id", "prompt", "chosen", "rejected"])
        writer.writeheader()
        writer.writerows(rows)
    pq.write_table(pa.Table.from_pylist(rows), paths["parquet"], row_group_size=2)
    import datasets

    datasets.Dataset.from_list(rows).save_to_disk(str(tmp / "ds"))
    paths["dataset"] = tmp / "ds"
    return paths


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv", "parquet", "dataset"])
def test_every_file_format_streams_the_same_pairs(tmp_path: Path, kind: str) -> None:
    rows = [{"pair_id": f"p{i}", "prompt": f"Q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(5)]
    rows[3]["rejected"] = ""  # an empty cell in every format
    path = write_all(tmp_path, rows)[kind]
    report = LoadReport()
    pairs = [item.pair for item in iter_loaded(iter_rows(path, batch_rows=2), skip=True, report=report)]
    assert [p.pair_id for p in pairs] == ["p0", "p1", "p2", "p4"]
    assert dict(report.skipped) == {"empty_text": 1}


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(ValueError, match="unknown format"):
        list(iter_rows(tmp_path / "x.txt"))
    with pytest.raises(FileNotFoundError):
        list(iter_rows(tmp_path / "none.jsonl"))
