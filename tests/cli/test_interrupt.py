"""Interrupting a real ``patarm`` process (SIGINT by PID, once it has written something) exits
130 with one line and no traceback, leaves no complete-looking output (an earlier output is
kept whole), and rerunning the same command gives the output of an uninterrupted run.
Also: an output that is the input file is refused before anything is written."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from patarm.cli import main

HERE = Path(__file__).parent
JUDGE = f"{HERE / 'slow_judge.py'}:judge"
RB = HERE.parent / "eval" / "fixtures" / "rewardbench.jsonl"
PYTHON = ["--backend", "python", "--model", JUDGE]


def _patarm() -> list[str]:
    script = Path(sys.executable).parent / "patarm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "patarm"]


def _pairs(path: Path, n: int) -> Path:
    rows = [
        {"pair_id": f"p{i}", "prompt": f"Question {i}?", "chosen": "a" * (i % 29 + 1), "rejected": "b" * (i % 7 + 1)}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _store_records(path: Path) -> int:
    return max(0, len(path.read_bytes().splitlines()) - 1) if path.exists() else 0


def _scratch_started(folder: Path) -> bool:
    return any(p.stat().st_size > 0 for p in folder.glob(".*.tmp"))


# command -> (arguments given the folder, output file, "has written something" given the folder,
# what a resumed rerun prints: some work read back from its cache)
Case = tuple[Callable[[Path], list[str]], str, Callable[[Path], bool], str | None]
CASES: dict[str, Case] = {
    "convert": (
        lambda d: [
            "data",
            "convert",
            "-i",
            str(_pairs(d / "in.jsonl", 60)),
            "-o",
            str(d / "out.jsonl"),
            "--router",
            "llm",
            "--domain-col",
            "",
            *PYTHON,
        ],
        "out.jsonl",
        lambda d: any(d.glob(".*.tmp")),
        None,
    ),
    "add-noise": (
        lambda d: [
            "data",
            "add-noise",
            "-i",
            str(_pairs(d / "in.jsonl", 80_000)),
            "-o",
            str(d / "out.jsonl"),
            "--flip",
            "0.3",
            "--seed",
            "1",
        ],
        "out.jsonl",
        _scratch_started,
        None,
    ),
    "build-rl": (
        lambda d: [
            "data",
            "build-rl",
            "-i",
            str(_pairs(d / "in.jsonl", 40)),
            "-o",
            str(d / "out.jsonl"),
            "--rollouts",
            "2",
            "--chunk-pairs",
            "2",
            "--keep-range",
            "0",
            "1",
            "--quiet",
            *PYTHON,
        ],
        "out.jsonl",
        lambda d: _store_records(d / "out.rollouts.jsonl") >= 2,
        r"rollouts sampled: \d+ pair\(s\) now, [1-9]\d* from",
    ),
    "build-sft": (
        lambda d: [
            "data",
            "build-sft",
            "-i",
            str(_pairs(d / "in.jsonl", 40)),
            "-o",
            str(d / "out.jsonl"),
            "--chunk-pairs",
            "2",
            "--margin",
            "1",
            "--quiet",
            *PYTHON,
        ],
        "out.jsonl",
        lambda d: _store_records(d / "out.teacher.jsonl") >= 2,
        r"teacher judgments: \d+ made now, [1-9]\d* reused from",
    ),
    "judge": (
        lambda d: [
            "judge",
            "-i",
            str(_pairs(d / "in.jsonl", 40)),
            "-o",
            str(d / "out.jsonl"),
            "--chunk-rows",
            "2",
            *PYTHON,
        ],
        "out.jsonl",
        lambda d: _store_records(d / "out.cache.jsonl") >= 2,
        r"reused from the cache\s+[1-9]\d*",
    ),
    "eval": (
        lambda d: [
            "eval",
            "--benchmark",
            "rewardbench",
            "--data",
            str(RB),
            "--cache",
            str(d / "cache.jsonl"),
            "-o",
            str(d / "out.json"),
            "--chunk",
            "2",
            *PYTHON,
        ],
        "out.json",
        lambda d: _store_records(d / "cache.jsonl") >= 2,
        None,  # the report's run.from_cache says it (checked below)
    ),
}


def _comparable(command: str, text: str) -> Any:
    if command != "eval":
        return text
    report = json.loads(text)
    for key in ("judged", "from_cache"):  # how much came from the cache differs; the numbers do not
        report["run"].pop(key)
    return report


def _sigint_default() -> None:
    """In the child: SIGINT acts as at a terminal, even when this test runs in a background job
    (a non-interactive shell starts those with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(args: list[str], sleep: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PATARM_TEST_SLEEP": str(sleep), "TQDM_DISABLE": "1"}
    return subprocess.Popen(
        [*_patarm(), *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_sigint_default,
    )


@pytest.mark.parametrize("command", sorted(CASES))
def test_sigint_midway_then_rerun_equals_a_clean_run(tmp_path: Path, command: str) -> None:
    make_args, output_name, started, resumed = CASES[command]
    args = make_args(tmp_path)
    output = tmp_path / output_name

    clean = _run(args, sleep=0)
    assert clean.wait(timeout=600) == 0, clean.communicate()[1]
    reference = output.read_text()
    for path in tmp_path.iterdir():  # forget the clean run's caches; keep only its input
        if path.name not in ("in.jsonl",):
            path.unlink()
    output.write_text("an earlier good output\n")

    proc = _run(args, sleep=0.05)
    deadline = time.monotonic() + 300
    while not started(tmp_path):
        assert proc.poll() is None, f"finished before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"patarm {args[0]}: interrupted"), err
    assert output.read_text() == "an earlier good output\n"  # not replaced by a partial one
    assert not list(tmp_path.glob(".*.tmp"))  # no scratch file left behind

    rerun = _run(args, sleep=0)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    if resumed is not None:
        assert re.search(resumed, out), out
    if command == "eval":
        assert json.loads(output.read_text())["run"]["from_cache"] > 0
    assert _comparable(command, output.read_text()) == _comparable(command, reference)


def _same_path_cases(tmp_path: Path, data: str, same: str) -> list[list[str]]:
    other = str(tmp_path / "o.jsonl")
    return [
        ["data", "convert", "-i", data, "-o", same],
        ["data", "add-noise", "-i", data, "-o", same, "--flip", "0.5"],
        ["data", "build-rl", "-i", data, "-o", same],
        ["data", "build-rl", "-i", data, "-o", other, "--rollouts", "2", "--rollout-cache", same, *PYTHON],
        ["data", "build-sft", "-i", data, "-o", same, *PYTHON],
        ["data", "build-sft", "-i", data, "-o", other, "--teacher-cache", same, *PYTHON],
        ["data", "build-openrlhf", "-i", data, "-o", same],
        ["judge", "-i", data, "-o", same, *PYTHON],
        ["judge", "-i", data, "-o", other, "--cache", same, *PYTHON],
        ["eval", "--benchmark", "rewardbench", "--data", data, "-o", same, "--baseline", "length"],
        ["eval", "--benchmark", "rewardbench", "--data", data, "--cache", same, *PYTHON],
    ]


def test_an_output_that_is_the_input_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _pairs(tmp_path / "x.jsonl", 3)
    link = tmp_path / "link.jsonl"  # the same file by another name
    link.symlink_to(data)
    before = data.read_bytes()
    for same in (data, link):
        for args in _same_path_cases(tmp_path, str(data), str(same)):
            assert main(args) == 2, args
            err = capsys.readouterr().err
            assert "is the same file as" in err, (args, err)
            assert data.read_bytes() == before, args
            assert not (tmp_path / "o.jsonl").exists(), args
            assert not list(tmp_path.glob(".*.tmp")), args
