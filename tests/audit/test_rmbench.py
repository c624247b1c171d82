"""An audit of RM-Bench rows reports its hard / normal / easy split: a judge that sees only
length does far better on the easy comparisons than on the hard ones."""

from __future__ import annotations

from pathlib import Path

from patarm.audit import AuditSettings, load_audit_data, run_audit
from patarm.backends import FunctionBackend
from patarm.cli._common import load_function
from patarm.judges import JudgeConfig, PointwiseJudge

HERE = Path(__file__).parent


def test_rmbench_split_exposes_a_length_only_judge(tmp_path: Path) -> None:
    data = load_audit_data(HERE / "fixtures" / "chat_filtered.json", benchmark="rmbench")
    rows = len(data.rmbench_rows)
    assert rows > 0 and len(data.pairs) == 3 * rows
    backend = FunctionBackend(load_function(f"{HERE / 'flawed_judges.py'}:chars_only"))

    point = PointwiseJudge(backend, JudgeConfig(tiers="primary"))
    report = run_audit(data, {"point": point}, AuditSettings(pairwise=False, plots=False), output=tmp_path)
    split = next(c for c in report["checks"] if c["check"] == "length")["rmbench"]
    assert split["hard"]["value"] < 0.3 and split["easy"]["value"] - split["hard"]["value"] > 0.4
    assert split["hard"]["n"] == rows and split["hard"]["ci"] == "bootstrap"
