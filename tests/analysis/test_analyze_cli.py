"""``patarm analyze`` end to end with function judges on the demo task: reports, plots, resume,
per-seed runs that match single runs, and clean errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib")

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
NOISY = ["--backend", "python", "--model", "patarm.analysis:noisy_demo_judge", "--quiet"]
TRUTH = ["--backend", "python", "--model", str(HERE / "truth_judge.py") + ":judge", "--quiet"]
PNG = b"\x89PNG\r\n\x1a\n"


def analyze(*args: str) -> dict[str, Any]:
    from patarm.cli import main

    assert main(["analyze", *args]) == 0
    out = Path(args[args.index("-o") + 1])
    name = args[0]
    assert (out / f"{name}.png").read_bytes()[:8] == PNG
    assert (out / f"{name}.md").read_text().startswith("## ")
    report: dict[str, Any] = json.loads((out / f"{name}.json").read_text())
    return report


def test_votes_reports_every_k_and_a_rerun_resumes_with_the_same_numbers(tmp_path: Path) -> None:
    args = ("votes", "--demo", "40", "-k", "4", "--draws", "5", "-o", str(tmp_path / "v"), *NOISY)
    first = analyze(*args)
    assert first["pairs"] == 40 and first["k_max"] == 4
    curve = first["curve"]
    assert isinstance(curve, list) and [p["k"] for p in curve] == [1, 2, 3, 4]
    for point in curve:
        assert (point["first"]["value"] * 40).is_integer() and point["first"]["n"] == 40
        assert point["subsets"] is not None
    assert curve[-1]["subsets"]["value"] == curve[-1]["first"]["value"]
    assert first["judging"]["judged"] == 80  # both responses of 40 pairs, 4 samples each
    again = analyze(*args)
    assert again["judging"]["judged"] == 0 and again["judging"]["reused"] == 80
    assert again["curve"] == first["curve"]
    # another voting rule is computed from the same stored samples: nothing judged again
    median = analyze(*args[:-5], "--voting", "median", *NOISY)
    assert median["judging"]["judged"] == 0 and median["voting"] == "median"


def test_best_of_n_with_a_truth_judge_is_the_oracle_and_beats_random(tmp_path: Path) -> None:
    report = analyze("best-of-n", "--demo", "30", "--candidates", "5", "--draws", "4", "-o", str(tmp_path), *TRUTH)
    curve = report["curve"]
    assert isinstance(curve, list) and [p["n"] for p in curve] == [1, 2, 3, 4, 5]
    for point in curve:
        assert point["expected"]["value"] == point["oracle"]["value"]
    assert curve[-1]["judge"]["value"] > curve[-1]["random"]["value"] + 0.2


def test_best_of_n_reads_a_candidates_file(tmp_path: Path) -> None:
    rows = [
        {
            "prompt": "Rate this review.",
            "responses": ["bright kind", "dull slow", "warm"],
            "correct": [True, False, True],
        },
        {"prompt": "Rate this review.", "responses": ["cold", "clear true sharp"], "correct": [False, True]},
    ]
    data = tmp_path / "bon.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = analyze("best-of-n", "--input", str(data), "-o", str(tmp_path / "out"), *TRUTH)
    assert report["rows"] == 2 and report["uneven"] == [2, 3] and report["n_max"] == 2
    assert report["curve"][-1]["judge"]["value"] == 1.0


def test_seeds_gives_each_seed_the_numbers_of_its_own_votes_run(tmp_path: Path) -> None:
    report = analyze("seeds", "--demo", "30", "--seeds", "0", "1", "-k", "2", "-o", str(tmp_path / "s"), *NOISY)
    assert report["seeds"] == [0, 1]
    curve = report["curve"]
    assert isinstance(curve, list)
    for seed in (0, 1):
        single = analyze(
            "votes", "--demo", "30", "-k", "2", "--seed", str(seed), "-o", str(tmp_path / f"v{seed}"), *NOISY
        )
        ours = [p["per_seed"][str(seed)] for p in curve]
        assert ours == [p["first"]["value"] for p in single["curve"]]
    assert curve[0]["std"] is not None and curve[0]["seeds"] == 2


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-m", "patarm", "analyze", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_bad_input_is_one_clean_line(tmp_path: Path) -> None:
    (tmp_path / "bon.jsonl").write_text('{"prompt": "q", "responses": ["a"], "correct": ["yes"]}\n')
    bad = run_cli("best-of-n", "--input", "bon.jsonl", "-o", "out", *TRUTH, cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "bon.jsonl line 1, field 'correct'[0]" in bad.stderr
    neither = run_cli("votes", "-o", "out", *TRUTH, cwd=tmp_path)
    assert neither.returncode == 2 and "--input PATH, or --demo" in neither.stderr
    twice = run_cli("seeds", "--demo", "--seeds", "1", "1", "-o", "out", *TRUTH, cwd=tmp_path)
    assert twice.returncode == 2 and "each seed once" in twice.stderr
    assert not (tmp_path / "out").exists()


def test_votes_with_a_real_engine_counts_its_failed_judgments_as_wrong(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    # a random tiny model (the transformers backend, for real) writes no parseable score
    args = ("votes", "--demo", "3", "--backend", "tiny", "-k", "2", "--max-new-tokens", "8", "--quiet")
    report = analyze(*args, "-o", str(tmp_path))
    assert report["failed_judgments"] == 6 and report["malformed_samples"] == 12
    assert [p["first"]["value"] for p in report["curve"]] == [0.0, 0.0]
