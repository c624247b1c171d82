"""An interrupted audit resumes from its store and gives the same report; a store made with
other settings is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patarm.audit import AuditSettings, run_audit
from patarm.backends import FunctionBackend
from patarm.cli._common import load_function
from patarm.judges import JudgeConfig, PairwiseJudge, PointwiseJudge
from patarm.store import StoreSettingsError

HERE = Path(__file__).parent
make_data = load_function(f"{HERE / 'pairs.py'}:make_data")
honest = load_function(f"{HERE / 'flawed_judges.py'}:honest")


def factories(fn: Any, seed: int = 0) -> dict[str, Any]:
    """The judges an audit takes: one backend, pointwise and pairwise."""
    backend = FunctionBackend(fn)
    config = JudgeConfig(samples=2, tiers="primary", seed=seed)
    return {"point": PointwiseJudge(backend, config), "pair": PairwiseJudge(backend, config)}


def test_rerun_after_interruption_resumes_with_the_same_numbers(tmp_path: Path) -> None:
    data = make_data(12)
    settings = AuditSettings(chunk=16, plots=False)
    whole = run_audit(data, factories(honest), settings, output=tmp_path / "whole")
    calls = 0

    def flaky(prompt: str, seed: int | None) -> str:
        nonlocal calls
        calls += 1
        if calls > 100:
            raise KeyboardInterrupt
        return str(honest(prompt, seed))

    with pytest.raises(KeyboardInterrupt):
        run_audit(data, factories(flaky), settings, output=tmp_path / "cut")
    assert not (tmp_path / "cut" / "audit.json").exists()
    resumed = run_audit(data, factories(honest), settings, output=tmp_path / "cut")
    assert resumed["run"]["from_store"] > 0 and resumed["run"]["judged_now"] > 0
    assert resumed["checks"] == whole["checks"]
    again = run_audit(data, factories(honest), settings, output=tmp_path / "cut")
    assert again["run"]["judged_now"] == 0 and again["run"]["from_store"] == whole["run"]["judgments"]


def test_a_store_made_with_other_settings_is_refused(tmp_path: Path) -> None:
    run_audit(make_data(4), factories(honest), AuditSettings(plots=False), output=tmp_path)
    with pytest.raises(StoreSettingsError, match=r"\(judge.seed: 0 then, 1 now\)"):
        run_audit(make_data(4), factories(honest, seed=1), AuditSettings(plots=False), output=tmp_path)


def test_quick_samples_a_seeded_subset(tmp_path: Path) -> None:
    report = run_audit(make_data(30), factories(honest), AuditSettings(quick=10, plots=False), output=tmp_path)
    assert report["run"]["pairs"] == 10 and report["run"]["pairs_available"] == 30
    acc = next(c for c in report["checks"] if c["check"] == "accuracy")["figures"]["accuracy"]
    assert acc["n"] == 10


def test_without_matplotlib_the_report_stands_and_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    report = run_audit(make_data(4), factories(honest), AuditSettings(), output=tmp_path)
    assert report["plots"] == [] and "patarm[audit]" in report["plots_skipped"]
    assert "patarm[audit]" in (tmp_path / "audit.md").read_text()


def test_reordered_pairs_and_another_chunk_size_reuse_every_judgment(tmp_path: Path) -> None:
    import dataclasses

    data = make_data(8)
    whole = run_audit(data, factories(honest), AuditSettings(chunk=5, plots=False), output=tmp_path)
    reordered = dataclasses.replace(data, pairs=list(reversed(data.pairs)))
    again = run_audit(reordered, factories(honest), AuditSettings(chunk=3, plots=False), output=tmp_path)
    assert again["run"]["judged_now"] == 0 and again["run"]["from_store"] == whole["run"]["judgments"]


def test_an_edited_pair_is_judged_again(tmp_path: Path) -> None:
    import dataclasses

    data = make_data(6)
    run_audit(data, factories(honest), AuditSettings(pairwise=False, plots=False), output=tmp_path)
    first = data.pairs[0]
    edited = dataclasses.replace(first, chosen=first.chosen + " And one more sentence.")
    changed = dataclasses.replace(data, pairs=[edited, *data.pairs[1:]])
    again = run_audit(changed, factories(honest), AuditSettings(pairwise=False, plots=False), output=tmp_path)
    assert again["run"]["judged_now"] > 0 and again["run"]["from_store"] > 0
