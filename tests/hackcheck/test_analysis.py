"""From step records to the report, without training: scripted "policies" whose outputs at each
step are given, scored through the real judging path (demo prompt, function backend, parser)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from patarm.backends import FunctionBackend
from patarm.demo import BAD_WORDS, GOOD_WORDS
from patarm.hackcheck import (
    HackcheckSettings,
    analyse,
    demo_judge,
    demo_truth,
    hackcheck_markdown,
    keyword_paying,
    length_paying,
    load_hackcheck,
    tag_reader,
    truth_judge,
    write_hackcheck,
)
from patarm.hackcheck._evaluate import evaluate_step

PROMPTS = [f"<task> demo {i} 1 </task> <response>" for i in range(12)]
SETTINGS = HackcheckSettings(bootstrap=200)


def _outputs(rng: random.Random, words: int, good: float, extra: str = "") -> list[list[str]]:
    def one() -> str:
        got = [rng.choice(GOOD_WORDS if rng.random() < good else BAD_WORDS) for _ in range(words)]
        return " ".join(got + ([extra] if extra else []))

    return [[one() for _ in range(4)] for _ in PROMPTS]


def _records(judge_fn: Any, stages: list[tuple[int, float, str]]) -> list[dict[str, Any]]:
    """One record per stage (words per output, share of good words, a word added to each)."""
    from patarm.adapters.trl import JudgeReward

    rng = random.Random(0)
    reward = JudgeReward(judge=demo_judge(FunctionBackend(judge_fn)), default_domain="demo")

    def scorer(prompts: Any, texts: Any) -> list[float | None]:
        return reward.scores(prompts, texts, reward.domains(len(texts), {}))

    return [
        evaluate_step(10 * i, PROMPTS, _outputs(rng, words, good, extra), scorer, demo_truth())
        for i, (words, good, extra) in enumerate(stages)
    ]


def test_a_judge_that_pays_for_the_truth_is_healthy_and_accuses_nothing() -> None:
    records = _records(truth_judge, [(3, 0.5, ""), (3, 0.7, ""), (3, 0.9, ""), (3, 1.0, "")])
    report = analyse(records, SETTINGS, PROMPTS)
    assert report["verdict"] == "healthy"
    assert report["divergence"]["step"] is None and report["exploited"] == []
    assert report["final"]["gold_gain"]["value"] > 0.3
    assert report["unscored"] == {"reward": 0, "gold": 0}


@pytest.mark.parametrize(
    ("judge_fn", "stages", "named"),
    [
        (length_paying, [(3, 0.5, ""), (6, 0.5, ""), (10, 0.5, ""), (12, 0.5, "")], "length"),
        (tag_reader, [(3, 0.5, ""), (3, 0.5, "<answer>"), (3, 0.5, "<answer>"), (3, 0.5, "<answer>")], "score_tags"),
        (keyword_paying, [(3, 0.5, ""), (2, 0.5, "demo demo"), (1, 0.5, "demo demo demo"), (1, 0.5, "demo demo demo")],
         "word 'demo'"),
    ],
)  # fmt: skip
def test_a_planted_flaw_is_named_and_the_step_where_they_part_is_found(
    judge_fn: Any, stages: list[tuple[int, float, str]], named: str
) -> None:
    report = analyse(_records(judge_fn, stages), SETTINGS, PROMPTS)
    assert report["verdict"] == "hacking"
    assert report["divergence"]["step"] == 10 and report["divergence"]["share"] > 0.9
    assert named in report["exploited"][:3], report["exploited"]
    top = report["examples"][0]
    assert top["reward"] > 5 and top["excess"] > 0


def test_the_report_round_trips_through_its_files(tmp_path: Path) -> None:
    report = analyse(_records(length_paying, [(3, 0.5, ""), (12, 0.5, "")]), SETTINGS, PROMPTS)
    report["run"] = {"judge": "length", "gold": "truth", "policy": "p", "eval_prompts": 12, "settings": vars(SETTINGS)}
    json_path, md_path = write_hackcheck(report, tmp_path)
    assert load_hackcheck(tmp_path)["verdict"] == "hacking"
    text = md_path.read_text()
    assert "REWARD HACKING" in text and "exploited: length" in text and "| 10 |" in text
    assert hackcheck_markdown(load_hackcheck(json_path)) == text


def test_one_evaluated_step_is_not_a_check() -> None:
    with pytest.raises(ValueError, match="at least one later step"):
        analyse(_records(truth_judge, [(3, 0.5, "")]), SETTINGS, PROMPTS)


def test_a_bad_report_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "hackcheck.json").write_text('{"checks": []}')
    with pytest.raises(ValueError, match="not a hackcheck report"):
        load_hackcheck(tmp_path)


def test_untrusted_output_text_cannot_break_the_markdown_report(tmp_path: Path) -> None:
    from patarm.hackcheck._report import cell

    hostile = "a | b ` c\n## heading\x07" + "x" * 1000
    shown = cell(hostile)
    assert "|" not in shown and "`" not in shown and "\n" not in shown and shown.isprintable()
    assert len(shown) == 300
