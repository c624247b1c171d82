"""``patarm data build-sft --format``: the SFT rows each stack's SFT trainer reads (TRL and
OpenRLHF: prompt-completion; verl: a ``messages`` column in Parquet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.cli import main
from patarm.cli._data._sft_formats import as_format

TEACHER = str(Path(__file__).parent / "margin_teacher.py") + ":judge"
PAIRS = [
    {"pair_id": "keep", "prompt": "Say hi.", "chosen": "score:9 hello", "rejected": "score:3 go"},
    {"pair_id": "edge", "prompt": "Say hi.", "chosen": "score:6 hi", "rejected": "score:4 no"},  # margin 2: dropped
    {"pair_id": "just", "prompt": "Say hi.", "chosen": "score:7 hi", "rejected": "score:4 no"},
]


def build(tmp_path: Path, output: str, *extra: str) -> int:
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in PAIRS))
    args = ["data", "build-sft", "-i", str(data), "-o", str(tmp_path / output), "--backend", "python"]
    return main([*args, "--model", TEACHER, "--quiet", *extra])


def test_verl_format_writes_messages_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(tmp_path, "sft.parquet", "--format", "verl") == 0
    table = pq.read_table(tmp_path / "sft.parquet")
    assert "prompt" not in table.column_names and "completion" not in table.column_names
    rows = table.to_pylist()
    assert [(r["pair_id"], r["role"], r["score"]) for r in rows] == [
        ("keep", "chosen", 9.0),
        ("keep", "rejected", 3.0),
        ("just", "chosen", 7.0),
        ("just", "rejected", 4.0),
    ]
    messages = rows[0]["messages"]
    assert [m["role"] for m in messages][-2:] == ["user", "assistant"]
    assert "score:9 hello" in messages[-2]["content"] and messages[-1]["content"].endswith("<answer>9</answer>")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no scratch rows left
    assert "output: " + str(tmp_path / "sft.parquet") + " (verl rows)" in capsys.readouterr().out


def test_verl_format_is_the_trl_rows_joined(tmp_path: Path) -> None:
    assert build(tmp_path, "trl.jsonl", "--teacher-cache", str(tmp_path / "t.jsonl")) == 0
    assert build(tmp_path, "verl.parquet", "--format", "verl", "--teacher-cache", str(tmp_path / "t.jsonl")) == 0
    trl = [json.loads(line) for line in (tmp_path / "trl.jsonl").read_text().splitlines()]
    verl = pq.read_table(tmp_path / "verl.parquet").to_pylist()
    assert [r["prompt"] + r["completion"] for r in trl] == [r["messages"] for r in verl]


def test_openrlhf_format_is_the_prompt_completion_rows(tmp_path: Path) -> None:
    cache = str(tmp_path / "t.jsonl")
    assert build(tmp_path, "trl.jsonl", "--teacher-cache", cache) == 0
    assert build(tmp_path, "openrlhf.jsonl", "--format", "openrlhf", "--teacher-cache", cache) == 0
    assert (tmp_path / "trl.jsonl").read_text() == (tmp_path / "openrlhf.jsonl").read_text()


@pytest.mark.parametrize(
    ("output", "extra", "says"),
    [
        ("sft.jsonl", (), "verl's SFT trainer reads Parquet"),
        ("sft.parquet", ("--text-prompts",), "drop --text-prompts"),
    ],
)
def test_verl_format_refuses_what_verl_cannot_read_before_judging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, extra: tuple[str, ...], says: str
) -> None:
    assert build(tmp_path, output, "--format", "verl", *extra) != 0
    assert says in capsys.readouterr().err
    assert not (tmp_path / output).exists()
    assert not list(tmp_path.glob("*.teacher.jsonl"))  # refused before the teacher judged anything


def test_verl_rows_load_in_verls_sft_dataset(tmp_path: Path) -> None:
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from verl.utils.dataset.multiturn_sft_dataset import MultiTurnSFTDataset

    from patarm.testing import save_tiny_model

    assert build(tmp_path, "sft.parquet", "--format", "verl") == 0
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(save_tiny_model(tmp_path / "model"))
    config = OmegaConf.create({"max_length": 4096, "truncation": "error", "pad_mode": "no_padding"})
    dataset = MultiTurnSFTDataset(str(tmp_path / "sft.parquet"), tokenizer, config)
    assert len(dataset) == 4
    item = dataset[0]
    trained = item["input_ids"][item["loss_mask"].bool()]
    assert "<answer>9</answer>" in tokenizer.decode(trained).replace(" ", "")  # the loss covers the judgment


messages = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "user"]), "content": st.text(max_size=20)}), min_size=1
)


@given(
    prompt=messages,
    target=st.text(max_size=20),
    extra=st.dictionaries(st.sampled_from(["domain", "pair_id"]), st.text()),
)
def test_as_format_keeps_every_column_and_message(prompt: list[Any], target: str, extra: dict[str, str]) -> None:
    row = {"prompt": prompt, "completion": [{"role": "assistant", "content": target}], **extra}
    verl = as_format(row, "verl")
    assert verl == {"messages": [*prompt, {"role": "assistant", "content": target}], **extra}
    assert as_format(row, "trl") == as_format(row, "openrlhf") == row
