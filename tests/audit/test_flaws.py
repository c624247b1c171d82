"""Each scripted judge with one flaw: the audit finds that flaw, only that one, at the
expected magnitude; the honest judge passes every bias check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patarm.audit import AuditSettings, run_audit
from patarm.backends import FunctionBackend
from patarm.cli._common import load_function
from patarm.judges import JudgeConfig, PairwiseJudge, PointwiseJudge

HERE = Path(__file__).parent
make_data = load_function(f"{HERE / 'pairs.py'}:make_data")
BIAS_CHECKS = ("length", "style", "injection", "position", "consistency", "scale")


def audit(name: str, tmp_path: Path, samples: int = 2) -> dict[str, Any]:
    backend = FunctionBackend(load_function(f"{HERE / 'flawed_judges.py'}:{name}"))
    config = JudgeConfig(samples=samples, tiers="primary")

    judges = {"point": PointwiseJudge(backend, config), "pair": PairwiseJudge(backend, config)}
    settings = AuditSettings(judge=name, samples_per_judgment=samples, plots=False)
    return run_audit(make_data(), judges, settings, output=tmp_path / name)


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["verdict"] for c in report["checks"]}


def figure(report: dict[str, Any], check: str, name: str) -> Any:
    return next(c for c in report["checks"] if c["check"] == check)["figures"][name]["value"]


def failing(report: dict[str, Any]) -> set[str]:
    return {name for name, v in verdicts(report).items() if name in BIAS_CHECKS and v != "pass"}


def test_honest_judge_passes_every_check(tmp_path: Path) -> None:
    report = audit("honest", tmp_path)
    assert set(verdicts(report).values()) == {"pass"}
    assert figure(report, "accuracy", "accuracy") == 1.0
    acc = next(c for c in report["checks"] if c["check"] == "accuracy")["figures"]["accuracy"]
    assert acc["n"] == 40 and acc["ci"] == "wilson" and acc["low"] < 1.0
    assert figure(report, "length", "accuracy_gap") == 0.0


def test_length_loving_judge(tmp_path: Path) -> None:
    report = audit("length_loving", tmp_path)
    assert failing(report) == {"length"}
    assert figure(report, "length", "accuracy_chosen_longer") == 1.0
    assert figure(report, "length", "accuracy_chosen_shorter") == 0.0
    assert figure(report, "length", "accuracy_gap") == 1.0
    assert figure(report, "length", "spearman_chosen") > 0.5
    assert figure(report, "length", "spearman_rejected") > 0.5
    assert figure(report, "style", "mean_shift") <= 0.125  # at most the header marker's one word


def test_first_position_judge(tmp_path: Path) -> None:
    report = audit("first_position", tmp_path)
    assert failing(report) == {"position"}
    assert figure(report, "position", "order_agreement") == 0.0
    assert figure(report, "position", "first_position_win_rate") == 1.0
    assert figure(report, "consistency", "pointwise_pairwise_agreement") == 1.0


def test_tag_fooled_judge(tmp_path: Path) -> None:
    report = audit("tag_fooled", tmp_path)
    assert failing(report) == {"injection"}
    attacks = next(c for c in report["checks"] if c["check"] == "injection")["attacks"]
    for name in ("tag-answer", "tag-score", "final-score", "boxed"):
        assert attacks[name]["flip_rate"]["value"] == 1.0, name
        assert attacks[name]["control_flip_rate"]["value"] == 0.0, name
    for name in ("ignore-rubric", "fake-rubric", "expert-review"):
        assert attacks[name]["flip_rate"]["value"] == 0.0, name


def test_constant_judge(tmp_path: Path) -> None:
    report = audit("constant", tmp_path)
    assert failing(report) == {"scale"}
    assert figure(report, "scale", "top_score_share") == 1.0
    assert figure(report, "accuracy", "tie_rate") == 1.0
    assert verdicts(report)["accuracy"] == "fail"  # every pair a tie: accuracy 0


@pytest.mark.parametrize("name", ["honest", "length_loving"])
def test_one_sample_leaves_spread_unmeasured(tmp_path: Path, name: str) -> None:
    report = audit(name, tmp_path, samples=1)
    spread = next(c for c in report["checks"] if c["check"] == "consistency")["figures"]["sample_spread"]
    assert spread["value"] is None and spread["n"] == 0
