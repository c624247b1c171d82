"""Benchmark evaluation that reproduces the official numbers: RewardBench, RewardBench 2 and
RM-Bench.

The pieces work alone: loaders read local benchmark files into :class:`BenchmarkRow` s; the
official formulas are pure functions over per-response scores (:class:`RowScores`, a float
or None for a failed judgment); :func:`run_judge` and :func:`baseline_scores` make those
scores; :func:`render_markdown` and :func:`compare_reports` show reports. ``patarm eval`` is
the command-line layer over them.

>>> rows = [RowScores("1", (8.0, 9.0, 9.5), (7.0, 8.5, 9.0), domain="chat")]
>>> report = score_rmbench(rows)
>>> round(report.overall, 4), report.missing_domains
(0.6667, ['code', 'math', 'safety'])
"""

from patarm.eval._counts import Counts, ReportBase, tally
from patarm.eval._loaders import RMBENCH_PARTS, load_benchmark, load_rewardbench, load_rewardbench2, load_rmbench
from patarm.eval._report import (
    Report,
    compare_reports,
    flatten_report,
    load_report,
    render_markdown,
    score_benchmark,
)
from patarm.eval._rewardbench import (
    EXAMPLE_COUNTS,
    PRIOR_SET_SUBSETS,
    PRIOR_SETS,
    REWARDBENCH_SUBSETS,
    SECTIONS,
    RewardBenchReport,
    score_rewardbench,
    section_scores,
)
from patarm.eval._rewardbench2 import (
    REWARDBENCH2_SUBSETS,
    RewardBench2Report,
    TiesDetail,
    best_of_n_credit,
    canonical_subset,
    score_rewardbench2,
    ties_prompt,
    ties_score,
)
from patarm.eval._rmbench import (
    RMBENCH_DOMAINS,
    STYLES,
    RMBenchDomain,
    RMBenchReport,
    rmbench_domain,
    score_rmbench,
    style_matrix,
    summarize_matrix,
)
from patarm.eval._rows import (
    BENCHMARKS,
    DEFAULT_FAILURES,
    FAILURE_POLICIES,
    Benchmark,
    BenchmarkData,
    BenchmarkRow,
    FailurePolicy,
    Outcome,
    RowScores,
    Score,
    SkippedRow,
    check_score,
    compare,
)
from patarm.eval._runner import (
    BASELINES,
    CompareBy,
    JudgeMode,
    JudgeRun,
    JudgeRunSettings,
    baseline_scores,
    judge_domain,
    run_judge,
)
from patarm.eval._scores_file import read_scores, row_scores

__all__ = [
    "BASELINES",
    "BENCHMARKS",
    "EXAMPLE_COUNTS",
    "PRIOR_SETS",
    "PRIOR_SET_SUBSETS",
    "REWARDBENCH2_SUBSETS",
    "REWARDBENCH_SUBSETS",
    "RMBENCH_DOMAINS",
    "RMBENCH_PARTS",
    "SECTIONS",
    "STYLES",
    "Benchmark",
    "BenchmarkData",
    "BenchmarkRow",
    "CompareBy",
    "Counts",
    "DEFAULT_FAILURES",
    "FAILURE_POLICIES",
    "FailurePolicy",
    "JudgeMode",
    "JudgeRun",
    "JudgeRunSettings",
    "Outcome",
    "RMBenchDomain",
    "RMBenchReport",
    "Report",
    "ReportBase",
    "RewardBench2Report",
    "RewardBenchReport",
    "RowScores",
    "Score",
    "SkippedRow",
    "TiesDetail",
    "baseline_scores",
    "best_of_n_credit",
    "canonical_subset",
    "check_score",
    "compare",
    "compare_reports",
    "flatten_report",
    "judge_domain",
    "load_benchmark",
    "load_report",
    "load_rewardbench",
    "load_rewardbench2",
    "load_rmbench",
    "read_scores",
    "render_markdown",
    "row_scores",
    "rmbench_domain",
    "run_judge",
    "score_benchmark",
    "score_rewardbench",
    "score_rewardbench2",
    "score_rmbench",
    "section_scores",
    "style_matrix",
    "summarize_matrix",
    "tally",
    "ties_prompt",
    "ties_score",
]
