from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from patarm.cli import main

TEACHER = str(Path(__file__).parent / "margin_teacher.py") + ":judge"

# chosen/rejected scores the scripted teacher gives, and what the margin filter (> 2) does
SFT_ROWS: list[dict[str, Any]] = [
    {"pair_id": "keep", "prompt": "Say hi.", "chosen": "score:9 hello", "rejected": "score:3 go"},  # margin 6
    {"pair_id": "edge", "prompt": "Say hi.", "chosen": "score:6 hi", "rejected": "score:4 no"},  # margin 2: dropped
    {"pair_id": "just", "prompt": "Say hi.", "chosen": "score:7 hi", "rejected": "score:4 no"},  # margin 3: kept
    {"pair_id": "wrong", "prompt": "Say hi.", "chosen": "score:2 hi", "rejected": "score:8 no"},  # wrong order
    {"pair_id": "tie", "prompt": "Say hi.", "chosen": "score:5 a", "rejected": "score:5 b"},  # margin 0: too small
    {"pair_id": "broken", "prompt": "Say hi.", "chosen": "BROKEN", "rejected": "score:1 b"},  # malformed
    {"pair_id": "bad", "prompt": "Say hi.", "chosen": "same", "rejected": "same"},  # malformed row
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def cached(path: Path) -> list[dict[str, Any]]:
    """The records of a cache (a store: its first line is the settings header)."""
    header, *records = lines(path)
    assert "patarm_store" in header
    return records


def sft(data: Path, out: Path, *extra: str) -> int:
    args = ["data", "build-sft", "-i", str(data), "-o", str(out), "--backend", "python", "--model", TEACHER]
    return main([*args, "--skip-malformed", "--quiet", *extra])


def test_build_sft_margin_filter_is_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", SFT_ROWS), tmp_path / "sft.jsonl"
    assert sft(data, out) == 0
    rows = lines(out)
    assert [(r["pair_id"], r["role"], r["score"]) for r in rows] == [
        ("keep", "chosen", 9.0),
        ("keep", "rejected", 3.0),
        ("just", "chosen", 7.0),
        ("just", "rejected", 4.0),
    ]
    assert rows[0]["completion"][0]["content"].endswith("<answer>9</answer>")
    assert rows[0]["prompt"][-1]["role"] == "user" and "score:9 hello" in rows[0]["prompt"][-1]["content"]
    text = capsys.readouterr().out
    for expected in (
        "rows skipped: 1",
        "skipped (identical): 1",
        "pairs judged by the teacher: 6",
        "pairs kept: 2 (4 rows)",
        "pairs dropped (malformed_teacher): 1",
        "pairs dropped (wrong_order): 1",
        "pairs dropped (margin_too_small): 2",
    ):
        assert expected in text
    assert (tmp_path / "sft.margins.png").read_bytes()[:4] == b"\x89PNG"
    assert len(cached(tmp_path / "sft.teacher.jsonl")) == 11  # one judgment per distinct response


def test_build_sft_rows_feed_trl_sft_rows(tmp_path: Path) -> None:
    from patarm.adapters.trl import sft_rows

    data, out = write_jsonl(tmp_path / "pairs.jsonl", SFT_ROWS), tmp_path / "sft.jsonl"
    assert sft(data, out, "--margin", "0") == 0
    rows = lines(out)
    records = [
        {"prompt": "Say hi.", "response": r["prompt"][-1]["content"].split("<response>\n")[1].split("\n</response>")[0]}
        | {"judgment": r["completion"][0]["content"], "domain": r["domain"]}
        for r in rows
    ]
    assert [{k: r[k] for k in ("prompt", "completion", "domain")} for r in rows] == sft_rows(records)


def test_build_sft_resumes_from_the_teacher_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", SFT_ROWS), tmp_path / "sft.parquet"
    assert sft(data, out, "--limit", "3") == 0
    with (tmp_path / "sft.teacher.jsonl").open("a") as f:
        f.write('{"id": "wrong", "chosen": {"sco')  # an interrupted write
    capsys.readouterr()
    assert sft(data, out) == 0
    text = capsys.readouterr().out
    assert "teacher judgments: 6 made now, 6 reused from" in text  # three pairs each
    assert pq.read_table(out).column("pair_id").to_pylist() == ["keep", "keep", "just", "just"]


def test_build_sft_with_the_tiny_model_reports_malformed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"prompt": f"Q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(3)]
    data, out = write_jsonl(tmp_path / "pairs.jsonl", rows), tmp_path / "sft.jsonl"
    args = ["data", "build-sft", "-i", str(data), "-o", str(out), "--backend", "tiny", "--quiet"]
    assert main([*args, "--max-new-tokens", "8", "--batch-size", "6"]) == 0
    text = capsys.readouterr().out
    expected = {"kept": 0, "malformed_teacher": 0, "wrong_order": 0, "margin_too_small": 0}
    judged = {r["name"]: r["result"]["score"] for r in cached(tmp_path / "sft.teacher.jsonl")}
    for pair in sorted({name.split("/")[0] for name in judged}):  # recount from the cached judgments
        chosen, rejected = judged[f"{pair}/chosen"], judged[f"{pair}/rejected"]
        if chosen is None or rejected is None:
            expected["malformed_teacher"] += 1
        elif chosen < rejected:
            expected["wrong_order"] += 1
        else:
            expected["kept" if chosen - rejected > 2 else "margin_too_small"] += 1
    assert "pairs judged by the teacher: 3" in text
    assert f"pairs kept: {expected['kept']} ({2 * expected['kept']} rows)" in text
    for reason in ("malformed_teacher", "wrong_order", "margin_too_small"):
        assert f"pairs dropped ({reason}): {expected[reason]}" in text
    assert expected["malformed_teacher"] >= 1  # random weights, 8 new tokens: no well-formed judgment
    assert len(lines(out)) == 2 * expected["kept"]


def rl_data(tmp_path: Path) -> Path:
    rows = [
        {"id": 1, "prompt": "Solve x^2 = 9.", "chosen": "3 or -3", "rejected": "3", "correct_fraction": 0.5},
        {"id": 2, "prompt": "Say hi.", "chosen": "Hello!", "rejected": "no", "correct_fraction": 1.0},
        {"id": 3, "prompt": "Hi", "chosen": "a", "rejected": "a", "correct_fraction": 0.5},
        {"id": 4, "prompt": "Write a python sort.", "chosen": "sorted(x)", "rejected": "x", "correct_fraction": 0.125},
    ]
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


def test_build_rl_parquet_with_reject_sampling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rl.parquet"
    args = ["data", "build-rl", "-i", str(rl_data(tmp_path)), "-o", str(out), "--quiet", "--skip-malformed"]
    assert main([*args, "--correct-column", "correct_fraction"]) == 0
    table = pq.read_table(out).to_pylist()
    assert [(r["pair_id"], r["role"], r["domain"]) for r in table] == [
        ("1", "chosen", "math"),
        ("1", "rejected", "math"),
        ("4", "chosen", "code"),
        ("4", "rejected", "code"),
    ]
    assert table[0]["prompt"][-1]["role"] == "user" and "3 or -3" in table[0]["prompt"][-1]["content"]
    text = capsys.readouterr().out
    assert "skipped (identical): 1" in text
    assert "pairs kept: 2, dropped (correct fraction out of range): 1" in text
    assert "rows written: 4" in text


def test_build_rl_stops_on_a_malformed_row_without_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rl.jsonl"
    assert main(["data", "build-rl", "-i", str(rl_data(tmp_path)), "-o", str(out), "--quiet"]) == 2
    assert "pairs.jsonl line 3: field 'rejected'" in capsys.readouterr().err


def test_add_noise_round_trip_and_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"prompt": f"Q{i}", "chosen": f"good answer {i}", "rejected": f"bad {i}"} for i in range(10)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    noisy, back = tmp_path / "noisy.jsonl", tmp_path / "back.jsonl"
    assert main(["data", "add-noise", "-i", str(data), "-o", str(noisy), "--flip", "0.3", "--seed", "4"]) == 0
    flipped = [r for r in lines(noisy) if r["flipped"]]
    assert len(flipped) == 3 and all(r["chosen"].startswith("bad") for r in flipped)
    assert main(["data", "add-noise", "-i", str(noisy), "-o", str(back), "--undo"]) == 0
    assert [(r["chosen"], r["rejected"]) for r in lines(back)] == [(r["chosen"], r["rejected"]) for r in rows]
    capsys.readouterr()
    assert main(["data", "stats", "-i", str(noisy), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.split("rows skipped: 0\n")[1])
    assert summary["pairs"] == 10 and summary["chosen_longer_share"] == 0.7


def test_convert_messages_to_pairs_with_domain_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def chat(q: str, a: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]

    rows = [
        {"chosen": chat("Solve 2+2", "4"), "rejected": chat("Solve 2+2", "5")},
        {"chosen": chat("hello", "hi"), "rejected": chat("hello", "go"), "domain": "chat"},
        {"chosen": chat("hello", "hi"), "rejected": chat("bye", "go")},
    ]
    data, out = write_jsonl(tmp_path / "sky.jsonl", rows), tmp_path / "pairs.jsonl"
    assert main(["data", "convert", "-i", str(data), "-o", str(out), "--skip-malformed"]) == 0
    written = lines(out)
    assert [(r["prompt"], r["domain"], r["domain_source"]) for r in written] == [
        ("Solve 2+2", "math", "heuristic"),
        ("hello", "chat", "given"),
    ]
    assert "skipped (prompt_mismatch): 1" in capsys.readouterr().out


def test_llm_router_labels_through_a_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    router = str(Path(__file__).parent / "scripted_router.py") + ":classify"
    rows = [
        {"prompt": "Tell me a story.", "chosen": "Once...", "rejected": "No."},
        {"prompt": "Solve 2+2 ???", "chosen": "4", "rejected": "5"},
        {"prompt": "Hi", "chosen": "Hello", "rejected": "Bye", "domain": "chat"},
    ]
    data, out = write_jsonl(tmp_path / "pairs.jsonl", rows), tmp_path / "pairs.out.jsonl"
    args = ["data", "convert", "-i", str(data), "-o", str(out), "--router", "llm"]
    assert main([*args, "--backend", "python", "--model", router]) == 0
    labels = [(r["domain"], r["domain_source"]) for r in lines(out)]
    # the second answer is not a domain: LLMRouter falls back to the heuristic, and the source says so
    assert labels == [("code", "llm"), ("math", "heuristic"), ("chat", "given")]
    assert "domain code (llm): 1" in capsys.readouterr().out


def test_benchmark_script_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(__file__).parents[2] / "benchmarks" / "bench_data.py"
    done = subprocess.run([sys.executable, str(script), "--pairs", "300"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "pairs/s" in done.stdout and "memory bounded" in done.stdout


ROLLOUT_ROWS: list[dict[str, Any]] = [
    {"pair_id": "all", "prompt": "q", "chosen": "r:9,9,9,9,9,9,9,9", "rejected": "r:1,1,1,1,1,1,1,1"},  # 8/8
    {"pair_id": "none", "prompt": "q", "chosen": "r:1,1,1,1,1,1,1,1", "rejected": "r:9,9,9,9,9,9,9,9"},  # 0/8
    {"pair_id": "half", "prompt": "q", "chosen": "r:9,9,9,9,1,1,1,1", "rejected": "r:5,5,5,5,5,5,5,5"},  # 4/8
    {"pair_id": "one", "prompt": "q", "chosen": "r:9,1,1,1,1,1,1,1", "rejected": "r:5,5,5,5,5,5,5,6"},  # 1/8
    {"pair_id": "tie", "prompt": "q", "chosen": "r:5,5,5,5,5,5,5,5", "rejected": "r:5,5,5,5,5,5,5,4"},  # 1/8
    {"pair_id": "broken", "prompt": "q", "chosen": "BROKEN", "rejected": "r:1,1,1,1,1,1,1,1"},  # 0/8
]


def test_build_rl_samples_correctness_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROLLOUT_ROWS), tmp_path / "rl.jsonl"
    sampler = str(Path(__file__).parent / "rollout_sampler.py") + ":judge"
    args = ["data", "build-rl", "-i", str(data), "-o", str(out), "--rollouts", "8", "--domain-col", "domain"]
    args += ["--backend", "python", "--model", sampler, "--quiet", "--chunk-pairs", "4"]
    assert main(args) == 0
    assert sorted({r["pair_id"] for r in lines(out)}) == ["half", "one", "tie"]
    cache = {r["id"]: r["correct"] for r in cached(tmp_path / "rl.rollouts.jsonl")}
    assert sum(cache["all"]) == 8 and sum(cache["none"]) == 0 and sum(cache["half"]) == 4
    assert sum(cache["tie"]) == 1 and sum(cache["broken"]) == 0
    text = capsys.readouterr().out
    assert "pairs kept: 3, dropped (correct fraction out of range): 3" in text
    assert all(len(c) == 8 for c in cache.values())
    before = (tmp_path / "rl.rollouts.jsonl").read_text()
    assert main(args) == 0  # a rerun finds every pair in the cache and samples nothing
    assert (tmp_path / "rl.rollouts.jsonl").read_text() == before
    assert sorted({r["pair_id"] for r in lines(out)}) == ["half", "one", "tie"]
    assert main([*args, "--correct-column", "c"]) == 2
    assert "either --correct-column" in capsys.readouterr().err


@pytest.mark.slow
def test_build_rl_with_the_tiny_model_as_sampler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROLLOUT_ROWS[:2]), tmp_path / "rl.jsonl"
    args = ["data", "build-rl", "-i", str(data), "-o", str(out), "--rollouts", "2", "--max-new-tokens", "4"]
    assert main([*args, "--backend", "tiny", "--quiet", "--keep-range", "0", "1"]) == 0
    cache = cached(tmp_path / "rl.rollouts.jsonl")
    assert [len(r["correct"]) for r in cache] == [2, 2]
    assert "pairs kept: 2" in capsys.readouterr().out
    assert len(lines(out)) == 4


def test_build_verl_and_openrlhf_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.adapters.openrlhf import unpack_label

    data = rl_data(tmp_path)
    verl_out, orl_out, side_out = tmp_path / "train.parquet", tmp_path / "pairs.orl.jsonl", tmp_path / "sides.jsonl"
    assert main(["data", "build-verl", "-i", str(data), "-o", str(verl_out), "--skip-malformed"]) == 0
    table = pq.read_table(verl_out).to_pylist()
    assert [(r["extra_info"]["pair_id"], r["extra_info"]["role"]) for r in table] == [
        (pid, role) for pid in ("1", "2", "4") for role in ("chosen", "rejected")
    ]
    assert table[0]["ability"] == "math" and table[0]["prompt"][-1]["role"] == "user"
    text = capsys.readouterr().out
    assert "skipped (identical): 1" in text and "verl rows: 6 (3 pairs" in text
    assert main(["data", "build-openrlhf", "-i", str(data), "-o", str(orl_out), "--skip-malformed"]) == 0
    rows = lines(orl_out)
    assert len(rows) == 3
    label = unpack_label(rows[0]["label"], need=("pair_id", "chosen_messages", "rejected_messages"))
    assert "3 or -3" in label["chosen_messages"][-1]["content"]
    assert main(["data", "build-openrlhf", "-i", str(data), "-o", str(side_out), "--mode", "side-row",
                 "--skip-malformed"]) == 0  # fmt: skip
    assert [unpack_label(r["label"])["role"] for r in lines(side_out)] == ["chosen", "rejected"] * 3
    assert main(["data", "build-verl", "-i", str(data), "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "verl reads Parquet" in capsys.readouterr().err
