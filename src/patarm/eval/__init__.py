"""Benchmark evaluation that reproduces the official numbers: RewardBench, RewardBench 2 and
RM-Bench.

The pieces work alone: loaders read local benchmark files into :class:`BenchmarkRow` s; the
official formulas are pure functions over per-response scores (:class:`RowScores`, a float
or None for a failed judgment); :func:`run_judge` and :func:`baseline_scores` make those
scores (a judge judges each row in the rubric domain :func:`judge_domain` gives);
:func:`render_markdown` and :func:`compare_reports` show reports. ``patarm eval`` is the
command-line layer over them.

>>> rows = [RowScores("1", (8.0, 9.0, 9.5), (7.0, 8.5, 9.0), domain="chat")]
>>> report = score_rmbench(rows)
>>> round(report.overall, 4), report.missing_domains
(0.6667, ['code', 'math', 'safety'])
"""

from patarm.eval._loaders import load_benchmark, load_rewardbench, load_rewardbench2, load_rmbench
from patarm.eval._report import Report, compare_reports, load_report, render_markdown, score_benchmark
from patarm.eval._rewardbench import RewardBenchReport, score_rewardbench
from patarm.eval._rewardbench2 import RewardBench2Report, score_rewardbench2
from patarm.eval._rmbench import RMBenchReport, score_rmbench
from patarm.eval._rows import (
    BENCHMARKS,
    Benchmark,
    BenchmarkData,
    BenchmarkRow,
    FailurePolicy,
    RowScores,
    compare,
)
from patarm.eval._runner import JudgeRun, JudgeRunSettings, baseline_scores, judge_domain, run_judge
from patarm.eval._scores_file import read_scores

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "BenchmarkData",
    "BenchmarkRow",
    "FailurePolicy",
    "JudgeRun",
    "JudgeRunSettings",
    "RMBenchReport",
    "Report",
    "RewardBench2Report",
    "RewardBenchReport",
    "RowScores",
    "baseline_scores",
    "compare",
    "compare_reports",
    "judge_domain",
    "load_benchmark",
    "load_report",
    "load_rewardbench",
    "load_rewardbench2",
    "load_rmbench",
    "read_scores",
    "render_markdown",
    "run_judge",
    "score_benchmark",
    "score_rewardbench",
    "score_rewardbench2",
    "score_rmbench",
]
