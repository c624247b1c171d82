"""``--template-dir`` on every judging command: the folder's templates replace the built-in ones
(the published checkpoints' own prompt format, docs/how-to/patarm-checkpoints.md), a missing
folder is a clear error, and an edited template is never reused from a cache."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from patarm.cli import build_parser, main

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "patarm-template"
JUDGE = Path(__file__).parent / "template_judge.py"


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    out = {prefix: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.update(_commands(sub, (*prefix, name)))
    return out


def test_every_judging_command_takes_a_template_dir() -> None:
    judging = {
        name: p
        for name, p in _commands(build_parser()).items()
        if any("--samples" in a.option_strings for a in p._actions)
    }
    assert len(judging) >= 8, sorted(judging)
    missing = [
        " ".join(n) for n, p in judging.items() if not any("--template-dir" in a.option_strings for a in p._actions)
    ]
    assert missing == []


def test_the_example_template_reaches_the_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("rows.jsonl").write_text(json.dumps({"id": "a", "prompt": "2+2?", "response": "4"}) + "\n")
    base = ["judge", "-i", "rows.jsonl", "--backend", "python", "--model", f"{JUDGE}:judge", "--tiers", "primary"]
    assert main([*base, "-o", "builtin.jsonl"]) == 0
    assert main([*base, "-o", "custom.jsonl", "--template-dir", str(EXAMPLE)]) == 0
    score = lambda name: json.loads(Path(name).read_text())["result"]["score"]  # noqa: E731
    assert (score("builtin.jsonl"), score("custom.jsonl")) == (1.0, 9.0)


def test_a_missing_template_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "a", "prompt": "p", "response": "r"}) + "\n")
    argv = ["judge", "-i", str(rows), "-o", str(tmp_path / "o.jsonl"), "--backend", "python"]
    argv += ["--model", f"{JUDGE}:judge", "--template-dir", str(tmp_path / "nope")]
    assert main(argv) == 2
    assert f"--template-dir {tmp_path / 'nope'}: no such folder" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()
