"""Judge runs through the library: scores, cache and resume, pairwise agreement, baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patarm.backends import FunctionBackend
from patarm.cli._common import load_function
from patarm.eval import (
    BenchmarkData,
    BenchmarkRow,
    JudgeRunSettings,
    baseline_scores,
    load_rewardbench2,
    load_rmbench,
    run_judge,
    score_benchmark,
)
from patarm.judges import JudgeConfig, PairwiseJudge, PointwiseJudge

FIXTURES = Path(__file__).parent / "fixtures"
SCRIPTED = load_function(str(Path(__file__).parent / "scripted_judge.py") + ":judge")


def factory(mode: str = "pointwise", samples: int = 1, fail_after: int | None = None, seed: int = 0) -> Any:
    """A scripted judge; ``fail_after`` calls, the run is interrupted (as by Ctrl-C)."""
    calls = {"n": 0}

    def fn(prompt: str, sample_seed: int | None) -> str:
        calls["n"] += 1
        if fail_after is not None and calls["n"] > fail_after:
            raise KeyboardInterrupt
        return str(SCRIPTED(prompt, sample_seed))

    config = JudgeConfig(samples=samples, seed=seed)
    cls = PairwiseJudge if mode == "pairwise" else PointwiseJudge
    return cls(FunctionBackend(fn), config)


def rmbench() -> BenchmarkData:
    return load_rmbench(sorted((FIXTURES / "rmbench").glob("*.json")))


def test_pointwise_run_scores_every_response(tmp_path: Path) -> None:
    data = rmbench()
    settings = JudgeRunSettings(mode="pointwise", chunk=20)
    run = run_judge(data, factory(samples=2), settings, cache=tmp_path / "cache.jsonl")
    # a response that appears twice in the data (same prompt, same text) is judged once
    assert run.judged == 132 and run.cached == 12 and run.samples == 24 * 6 * 2 and run.malformed_samples == 0
    assert all(None not in s.chosen + s.rejected for s in run.scores)
    lines = [json.loads(line) for line in (tmp_path / "cache.jsonl").read_text().splitlines()]
    assert lines[0]["patarm_store"] == "judgments" and len(lines) == 1 + 132
    assert lines[1]["name"] == f"{data.rows[0].key}/chosen/0" and len(lines[1]["result"]["samples"]) == 2
    again = run_judge(data, factory(samples=2), settings, cache=tmp_path / "cache.jsonl")
    assert again.judged == 0 and again.cached == 24 * 6 and again.scores == run.scores


def test_an_interrupted_run_resumes_to_the_same_numbers(tmp_path: Path) -> None:
    data = load_rewardbench2([FIXTURES / "rewardbench2.jsonl"])
    settings = JudgeRunSettings(chunk=7)
    reference = score_benchmark("rewardbench2", run_judge(data, factory(seed=3), settings).scores)
    cache = tmp_path / "cache.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_judge(data, factory(fail_after=14, seed=3), settings, cache=cache)
    done = len(cache.read_text().splitlines()) - 1
    assert done == 14  # two chunks of 7, one call each
    with cache.open("a") as f:
        f.write('{"id": "3/chosen/0#abc", "sco')  # a record cut short
    resumed = run_judge(data, factory(seed=3), settings, cache=cache)
    total = sum(len(row.chosen) + len(row.rejected) for row in data.rows)
    assert resumed.cached >= 14 and resumed.judged + resumed.cached == total
    assert resumed.judged == len(cache.read_text().splitlines()) - 1 - 14  # each new record judged once
    assert resumed.broken_cache_lines == 1
    assert score_benchmark("rewardbench2", resumed.scores) == reference


def test_a_cache_from_other_settings_is_refused(tmp_path: Path) -> None:
    data = load_rewardbench2([FIXTURES / "rewardbench2.jsonl"])
    cache = tmp_path / "cache.jsonl"
    run_judge(data, factory(), JudgeRunSettings(), cache=cache, fingerprint={"samples": 1})
    with pytest.raises(ValueError, match=r"other settings \(samples: 1 then, 4 now\)"):
        run_judge(data, factory(), JudgeRunSettings(), cache=cache, fingerprint={"samples": 4})
    with pytest.raises(ValueError, match=r"other settings \(judge.seed: 0 then, 1 now\)"):
        run_judge(data, factory(seed=1), JudgeRunSettings(), cache=cache, fingerprint={"samples": 1})


def test_pairwise_judges_both_orders_and_reports_agreement() -> None:
    rows = (
        BenchmarkRow("1", "Say hi.", ("Hello there, friend",), ("hi",), "alpacaeval-easy", "1"),
        BenchmarkRow("2", "POSITION test", ("a longer answer here",), ("short",), "alpacaeval-easy", "2"),
    )
    data = BenchmarkData("rewardbench", rows)
    run = run_judge(data, factory("pairwise"), JudgeRunSettings(mode="pairwise"))
    assert run.orders_compared == 2 and run.agreements == 1 and run.position_agreement == 0.5
    assert run.samples == 4  # 1 sample x 2 orders x 2 pairs
    first = run.scores[0].pairs
    assert first is not None and first[0][0] == (2.0, 1.0)  # 19 and 2 characters
    biased = run.scores[1].pairs
    assert biased is not None and biased[0][0] == (5.5, 5.5)  # each side won once: a tie, and a tie is wrong
    report = score_benchmark("rewardbench", run.scores)
    assert report.subsets == {"alpacaeval-easy": 0.5} and report.counts.ties == 1
    assert run.info()["position_agreement"] == 0.5


def test_majority_vote_over_samples(tmp_path: Path) -> None:
    rows = (
        BenchmarkRow("1", "q", ("x" * 25,), ("y" * 25,), "hep-go", "1"),  # equal lengths: only jitter decides
        BenchmarkRow("2", "q2", ("x" * 25,), ("y" * 15,), "hep-go", "2"),  # chosen never scores lower
    )
    cache = tmp_path / "cache.jsonl"
    settings = JudgeRunSettings(compare_by="majority")
    run = run_judge(BenchmarkData("rewardbench", rows), factory(samples=5), settings, cache=cache)
    records = map(json.loads, cache.read_text().splitlines()[1:])
    samples = {tuple(r["name"].split("/")[:2]): [x["score"] for x in r["result"]["samples"]] for r in records}
    for row, scores in zip(rows, run.scores, strict=True):
        paired = list(zip(samples[row.key, "chosen"], samples[row.key, "rejected"], strict=True))
        wins, losses = sum(c > r for c, r in paired), sum(c < r for c, r in paired)
        expected = (1.0, 0.0) if wins > losses else (0.0, 1.0) if losses > wins else (0.5, 0.5)
        assert scores.pairs == ((expected,),), (row.key, paired)


def test_pairwise_or_majority_cannot_score_ties() -> None:
    data = load_rewardbench2([FIXTURES / "rewardbench2.jsonl"])
    with pytest.raises(ValueError, match=r"the Ties subset \(4 rows\) is scored from per-response scores"):
        run_judge(data, factory("pairwise"), JudgeRunSettings(mode="pairwise"))
    with pytest.raises(ValueError, match="compare_by 'expected' needs a pointwise judge"):
        JudgeRunSettings(mode="pairwise", compare_by="expected")


def test_failed_judgments_are_counted_not_dropped() -> None:
    rows = (BenchmarkRow("1", "q", ("BROKEN",), ("fine answer",), "hep-go", "1"),)
    run = run_judge(BenchmarkData("rewardbench", rows), factory(samples=3), JudgeRunSettings())
    assert run.malformed_samples == 3 and run.scores[0].chosen == (None,)
    report = score_benchmark("rewardbench", run.scores)
    assert report.subsets["hep-go"] == 0.0 and report.counts.failed_judgments == 1 and report.counts.rows == 1


def test_baselines() -> None:
    data = rmbench()
    length = baseline_scores(data, "length")
    assert length[0].chosen == tuple(float(len(t)) for t in data.rows[0].chosen)
    assert baseline_scores(data, "random", seed=1) == baseline_scores(data, "random", seed=1)
    assert baseline_scores(data, "random", seed=1) != baseline_scores(data, "random", seed=2)
    with pytest.raises(ValueError, match="unknown baseline 'shortest'"):
        baseline_scores(data, "shortest")


def test_reordered_edited_and_appended_rows_never_reuse_a_stale_judgment(tmp_path: Path) -> None:
    rows = [BenchmarkRow(str(i), f"q{i}", ("x" * (10 * i + 5),), ("y",), "hep-go", str(i)) for i in range(4)]
    cache = tmp_path / "cache.jsonl"
    run_judge(BenchmarkData("rewardbench", tuple(rows[:3])), factory(), JudgeRunSettings(chunk=2), cache=cache)
    edited = BenchmarkRow("1", "q1", ("z" * 60,), ("y",), "hep-go", "1")  # same id, other chosen text
    changed = (rows[3], rows[2], edited, rows[0])  # reordered, one row edited, one appended
    with pytest.warns(UserWarning, match=r"judged before with other content \(1/chosen/0\)"):
        run = run_judge(BenchmarkData("rewardbench", changed), factory(), JudgeRunSettings(chunk=3), cache=cache)
    assert run.scores == run_judge(BenchmarkData("rewardbench", changed), factory()).scores
    assert (run.judged, run.cached, run.changed) == (3, 5, 1)  # row 3's two responses and the edited one


def test_pairwise_failures_never_count_as_agreement() -> None:
    rows = (
        BenchmarkRow("1", "q", ("a",), ("b",), "alpacaeval-easy", "1"),
        BenchmarkRow("2", "Say hi.", ("Hello there, friend",), ("hi",), "alpacaeval-easy", "2"),
    )
    silent = PairwiseJudge(FunctionBackend(lambda prompt, seed: "no scores" if "<response_a>\na" in prompt or
                                           "<response_b>\na" in prompt else SCRIPTED(prompt, seed)))  # fmt: skip
    run = run_judge(BenchmarkData("rewardbench", rows), silent, JudgeRunSettings(mode="pairwise"))
    assert run.orders_compared == 2 and run.agreements == 1 and run.position_agreement == 0.5
    assert run.failed == 1 and run.scores[0].pairs == (((None, None),),)
