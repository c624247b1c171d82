"""``patarm audit`` on scripted judges: files written, resumed reruns, --compare, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patarm.audit.plots import PLOTS
from patarm.cli import main
from patarm.cli._common import load_function

HERE = Path(__file__).parent
make_pairs = load_function(f"{HERE / 'pairs.py'}:make_pairs")


def judge(name: str) -> list[str]:
    return ["--backend", "python", "--model", f"{HERE / 'flawed_judges.py'}:{name}"]


@pytest.fixture
def pairs_file(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.jsonl"
    rows = [
        {"pair_id": p.key, "prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected, "domain": p.domain}
        for p in make_pairs(24)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_audit_writes_report_plots_and_resumes(
    pairs_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["audit", "-i", str(pairs_file), *judge("tag_fooled"), "-o", str(out), "-k", "2"]) == 0
    shown = capsys.readouterr().out
    assert "| Injection and flattery | FAIL |" in shown and "| Length bias | PASS |" in shown
    for name in ("audit.json", "audit.md", "judgments.jsonl", *PLOTS):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "audit.json").read_text())
    assert report["run"]["pairs"] == 24 and report["run"]["judged_now"] == report["run"]["judgments"]
    for check in report["checks"]:
        for fig in check["figures"].values():
            assert "n" in fig and "low" in fig and "high" in fig
    assert main(["audit", "-i", str(pairs_file), *judge("tag_fooled"), "-o", str(out), "-k", "2"]) == 0
    again = json.loads((out / "audit.json").read_text())
    assert again["run"]["judged_now"] == 0 and again["checks"] == report["checks"]


def test_compare_two_backends_then_two_reports(
    pairs_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = (f"{HERE / 'flawed_judges.py'}:{n}" for n in ("honest", "first_position"))
    out = tmp_path / "cmp"
    args = ["audit", "-i", str(pairs_file), "--backend", "python", "--quick", "12", "-o", str(out)]
    assert main([*args, "--compare", a, b]) == 0
    table = capsys.readouterr().out
    assert "| Position bias (pairwise) | verdict | PASS | FAIL |" in table
    assert (out / "compare.md").exists() and (out / "attack_flips.png").exists()
    assert json.loads((out / "judge-a" / "audit.json").read_text())["run"]["pairs"] == 12
    assert main(["audit", "-o", str(tmp_path / "cmp2"), "--compare", str(out / "judge-a"), str(out / "judge-b")]) == 0
    assert "| Position bias (pairwise) | verdict | PASS | FAIL |" in capsys.readouterr().out


def test_bad_input_is_one_line_naming_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "q", "chosen": "a"}) + "\n")
    assert main(["audit", "-i", str(bad), *judge("honest"), "-o", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl" in err and "rejected" in err and "Traceback" not in err
    assert main(["audit", "-i", str(tmp_path / "missing.jsonl"), *judge("honest"), "-o", str(tmp_path / "r")]) == 2


@pytest.mark.slow
def test_tiny_transformers_backend_end_to_end(pairs_file: Path, tmp_path: Path) -> None:
    """A random tiny model (built on the spot) through the real transformers backend: its
    outputs are mostly malformed, and the report says so instead of failing."""
    out = tmp_path / "tiny"
    args = ["audit", "-i", str(pairs_file), "--backend", "tiny", "--quick", "2", "--max-new-tokens", "8"]
    assert main([*args, "-o", str(out)]) == 0
    report = json.loads((out / "audit.json").read_text())
    assert report["run"]["pairs"] == 2
    malformed = next(c for c in report["checks"] if c["check"] == "accuracy")["figures"]["malformed_rate"]
    assert malformed["n"] == 4 and malformed["value"] is not None
    for name in ("audit.md", *PLOTS):
        assert (out / name).stat().st_size > 0, name


def test_output_folder_holding_the_input_is_refused(pairs_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = pairs_file.parent / "judgments.jsonl"
    pairs_file.rename(target)
    assert main(["audit", "-i", str(target), *judge("honest"), "-o", str(target.parent)]) == 2
    assert "judgments.jsonl" in capsys.readouterr().err and target.stat().st_size > 0
