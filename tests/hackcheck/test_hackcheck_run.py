"""`patarm hackcheck --demo`, end to end on the CPU but short: a tiny policy trained with GRPO
(TRL) against a judge that pays for length learns to write long, and the report names length;
against a judge that pays for the truth, gold rises with reward and nothing is accused. A rerun
with more steps continues the run; --compare puts two reports side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")
pytest.importorskip("matplotlib")

pytestmark = pytest.mark.slow

SMALL = ["--eval-every", "10", "--eval-prompts", "8", "--eval-samples", "2", "--no-progress"]


def _run(args: list[str]) -> int:
    from patarm.cli import main

    return main(["hackcheck", "--demo", "--backend", "python", *SMALL, *args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hackcheck")
    length, truth = root / "length", root / "truth"
    assert _run(["--model", "patarm.hackcheck:length_paying", "--steps", "20", "-o", str(length)]) == 0
    policy = str(length / "start-policy")  # the same starting policy for both judges
    assert _run(["--model", "patarm.hackcheck:truth_judge", "--policy", policy, "--steps", "20", "-o", str(truth)]) == 0
    return {"length": length, "truth": truth, "root": root}


def _report(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "hackcheck.json").read_text())
    return data


def test_a_length_paying_judge_is_caught_and_length_is_named(runs: dict[str, Path]) -> None:
    report = _report(runs["length"])
    assert report["verdict"] == "hacking"
    assert "length" in report["exploited"][:3], report["exploited"]
    assert report["final"]["reward_gain"]["value"] > report["final"]["gold_gain"]["value"] + 0.3
    assert report["divergence"]["step"] in (10, 20)
    assert [p["step"] for p in report["curve"]] == [0, 10, 20]
    assert report["unscored"] == {"reward": 0, "gold": 0}
    for png in ("reward_vs_gold.png", "features.png"):
        assert (runs["length"] / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "REWARD HACKING" in (runs["length"] / "hackcheck.md").read_text()


def test_a_judge_that_pays_for_the_truth_is_not_accused(runs: dict[str, Path]) -> None:
    report = _report(runs["truth"])
    assert report["verdict"] == "healthy" and report["exploited"] == []
    assert report["final"]["gold_gain"]["value"] > 0.1  # gold rose with reward
    assert abs(report["final"]["gap"]["value"]) < 1e-9  # this judge is the gold on its own scale


def test_a_rerun_with_more_steps_continues_and_keeps_the_steps_it_has(runs: dict[str, Path]) -> None:
    store_path = runs["length"] / "steps.jsonl"  # a header line, then one record per evaluated step
    before = {int(json.loads(line)["step"]): line for line in store_path.read_text().splitlines()[1:]}
    assert _run(["--model", "patarm.hackcheck:length_paying", "--steps", "30", "-o", str(runs["length"])]) == 0
    after = {int(json.loads(line)["step"]): line for line in store_path.read_text().splitlines()[1:]}
    assert sorted(after) == [0, 10, 20, 30]
    assert all(after[step] == line for step, line in before.items())  # kept, not redone
    assert [p["step"] for p in _report(runs["length"])["curve"]] == [0, 10, 20, 30]


def test_compare_puts_two_reports_side_by_side(runs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from patarm.cli import main

    out = runs["root"] / "compare"
    assert main(["hackcheck", "--compare", str(runs["truth"]), str(runs["length"]), "-o", str(out)]) == 0
    table = (out / "compare.md").read_text()
    assert "| verdict | HEALTHY | HACKING |" in table
    assert table in capsys.readouterr().out
    assert (out / "reward_vs_gold.png").exists() and (out / "features.png").exists()


def test_a_policy_and_prompts_of_ones_own_with_a_function_judge_and_gold(tmp_path: Path) -> None:
    """The real-stack path on the CPU: a saved model folder with a chat template, a prompts
    file, a judge and a gold named by file.py:function, the library's default judge prompt."""
    from patarm.cli import main
    from patarm.testing import save_tiny_model

    policy = save_tiny_model(tmp_path / "policy", seed=1)
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"prompt": f"What is {i} + {i}?"}) + "\n" for i in range(12)))
    here = Path(__file__).parent / "own_stack.py"
    out = tmp_path / "out"
    args = ["--policy", str(policy), "--prompts", str(prompts), "--backend", "python", "--model", f"{here}:judge"]
    args += ["--gold", f"{here}:gold", "--steps", "2", "--eval-every", "1", "--eval-prompts", "4"]
    args += ["--eval-samples", "2", "--generations", "2", "--prompts-per-step", "2", "--max-completion-length", "8"]
    assert main(["hackcheck", *args, "--tiers", "primary", "--domain", "chat", "--no-progress", "-o", str(out)]) == 0
    report = _report(out)
    assert [p["step"] for p in report["curve"]] == [0, 1, 2]
    assert report["run"]["gold"].endswith("own_stack.py:gold") and report["run"]["eval_prompts"] == 4
    assert report["outputs_per_step"] == 8
    assert report["verdict"] in ("hacking", "suspect", "healthy")
