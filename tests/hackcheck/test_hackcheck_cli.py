"""`patarm hackcheck`'s refusals: one line naming what to give, before any training."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("trl")


def test_without_a_gold_it_asks_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.cli import main

    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "a"}\n{"prompt": "b"}\n')
    args = ["hackcheck", "--backend", "python", "--model", "patarm.hackcheck:truth_judge", "--prompts", str(prompts)]
    assert main([*args, "--policy", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "name a gold: --gold module:function" in capsys.readouterr().err


def test_a_policy_folder_without_a_model_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.cli import main

    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "a"}\n{"prompt": "b"}\n')
    args = ["hackcheck", "--backend", "python", "--model", "patarm.hackcheck:truth_judge", "--gold", "demo"]
    code = main([*args, "--prompts", str(prompts), "--policy", str(tmp_path / "none"), "-o", str(tmp_path / "o")])
    assert code != 0
    assert "--policy" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_a_real_run_needs_its_prompts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.cli import main

    args = ["hackcheck", "--backend", "python", "--model", "patarm.hackcheck:truth_judge", "--gold", "demo"]
    assert main([*args, "--policy", str(tmp_path), "-o", str(tmp_path / "o")]) == 2
    assert "--policy and --prompts are required" in capsys.readouterr().err
