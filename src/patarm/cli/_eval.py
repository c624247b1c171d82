"""``patarm eval``: RewardBench, RewardBench 2 and RM-Bench scores, computed as the benchmarks
officially compute them, from a scores file, a built-in baseline, or a judge run.

A judge run caches every judgment to ``--cache`` as it comes; rerunning the same command
resumes and gives the same numbers. ``--compare A.json B.json`` shows two reports side by side.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any, get_args

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    add_reference_arg,
    backend_from_args,
    config_from_args,
    int_at_least,
    replica_lines,
    template_dir,
)
from patarm.cli._fields import Alias, add_fields, field_values
from patarm.errors import ConfigError
from patarm.eval import FailurePolicy, JudgeRunSettings, score_benchmark
from patarm.store import atomic_write, check_distinct

__all__ = ["add_parser"]

# The JudgeRunSettings fields set from options (see patarm.cli._fields), and the former spellings;
# voting and domain come from the judging options (--voting is JudgeConfig's).
RUN_FIELDS = ("mode", "compare_by", "chunk")
RUN_ALIASES: dict[str, list[Alias]] = {"chunk": ["--chunk-items"]}


def _select(args: argparse.Namespace, data: Any) -> tuple[list[int], list[str]]:
    """Indices of the rows to evaluate (``--subsets``, ``--limit``) and a note if some are left out.
    Subset names match case-insensitively, spaces around them ignored."""
    keep = list(range(len(data.rows)))
    if args.subsets:
        wanted = {s.strip().lower() for s in args.subsets}
        names = [(row.subset, row.part or "", row.domain or "") for row in data.rows]
        present = {name.lower() for triple in names for name in triple if name}
        unknown = sorted(wanted - present)
        if unknown:
            raise ConfigError(f"--subsets: no rows in subset(s) {', '.join(unknown)}")
        keep = [i for i in keep if any(name.lower() in wanted for name in names[i] if name)]
    if args.limit is not None:
        keep = keep[: args.limit]
    notes = []
    if len(keep) < len(data.rows):
        notes.append(f"evaluated {len(keep)} of {len(data.rows)} rows (--subsets / --limit): not the full benchmark")
    return keep, notes


def _judge_scores(args: argparse.Namespace, data: Any) -> tuple[list[Any], dict[str, Any]]:
    from patarm.eval import run_judge
    from patarm.judges import PairwiseJudge, PointwiseJudge
    from patarm.rubrics import CriteriaCache, RubricSet

    config = config_from_args(args)
    if args.compare_by == "expected":
        config = config.model_copy(update={"expected_score": True})
    settings = JudgeRunSettings(**field_values(args, RUN_FIELDS), voting=config.voting, domain=args.domain)
    backend = backend_from_args(args)
    rubrics = RubricSet(args.rubric_dir or ())
    criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
    judge_cls = PairwiseJudge if args.mode == "pairwise" else PointwiseJudge
    judge = judge_cls(backend, config, rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args))
    fingerprint = {
        "benchmark": data.benchmark,
        "backend": args.backend,
        "model": args.model,
        "rubric_dir": list(args.rubric_dir or ()),
    }
    run = run_judge(data, judge, settings, cache=args.cache, fingerprint=fingerprint, progress=True)
    if run.broken_cache_lines:
        print(f"note: the last record of {args.cache} was cut short (an interrupted write): dropped, redone")
    info = run.info()
    info.update(backend=args.backend, model=args.model, samples_per_judgment=config.samples)
    replicas = replica_lines(backend)
    if replicas:  # kept in the JSON report, and shown on stderr (stdout carries the markdown)
        info["replicas"] = [r.line() for r in backend.replica_stats()]
        print("\n".join(replicas), file=sys.stderr)
    if args.cache:
        info["cache"] = str(args.cache)
    if args.reference_col:
        info["reference_col"] = args.reference_col
    return run.scores, info


def run(args: argparse.Namespace) -> int:
    from patarm.eval import (
        BENCHMARKS,
        BenchmarkData,
        baseline_scores,
        compare_reports,
        load_benchmark,
        load_report,
        read_scores,
        render_markdown,
        score_benchmark,
    )

    if args.compare:
        a, b = (load_report(p) for p in args.compare)
        print(compare_reports(a, b, names=(Path(args.compare[0]).stem, Path(args.compare[1]).stem)))
        return 0
    if args.benchmark is None or not args.data:
        raise ConfigError("--benchmark and --data are required (or --compare REPORT_A REPORT_B)")
    if args.benchmark not in BENCHMARKS:
        raise ConfigError(f"unknown benchmark {args.benchmark!r}; expected one of {', '.join(BENCHMARKS)}")
    if args.scores and args.baseline:
        raise ConfigError("--scores and --baseline are two sources of scores; give one")
    if args.reference_col and (args.scores or args.baseline):
        raise ConfigError("--reference-col shows a reference to a judge; --scores and --baseline run none")
    data_paths = [p.split("=", 1)[1] if "=" in p and not Path(p).exists() else p for p in args.data]
    check_distinct(
        {"--data": data_paths, "--scores": args.scores},
        {"--output": args.output, "--cache": args.cache, "--criteria-cache": args.criteria_cache},
    )
    data = load_benchmark(
        args.benchmark,
        args.data,
        skip_malformed=args.skip_malformed,
        split=args.split,
        reference_col=args.reference_col,
    )
    keep, notes = _select(args, data)
    chosen = BenchmarkData(data.benchmark, tuple(data.rows[i] for i in keep), data.skipped, data.sources)
    if args.scores:
        every = read_scores(args.scores, data)
        scores = [every[i] for i in keep]
        info: dict[str, Any] = {"source": "scores", "scores": str(args.scores)}
    elif args.baseline:
        scores = baseline_scores(chosen, args.baseline, seed=args.seed)
        info = {"source": "baseline", "baseline": args.baseline, "seed": args.seed}
    else:
        scores, info = _judge_scores(args, chosen)
    if data.skipped:
        notes.append(f"{len(data.skipped)} malformed row(s) skipped (--skip-malformed); see 'skipped'")
    report = score_benchmark(
        args.benchmark, scores, failures=args.failures, skipped_rows=len(data.skipped), notes=notes
    )
    info["data"] = [str(p) for p in data.sources]
    skipped = [{"source": s.source, "row": s.row, "id": s.id, "reason": s.reason} for s in data.skipped]
    report = report.model_copy(update={"run": info, "skipped": skipped})
    print(render_markdown(report))
    if args.output:
        out = Path(args.output)
        with atomic_write(out) as f:
            f.write(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        print(f"report: {out}")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "eval",
        help="RewardBench / RewardBench 2 / RM-Bench scores, computed as the benchmarks officially do",
        description=(
            "Score a benchmark from local data files. Scores come from --scores FILE (one JSON line per row: id, "
            "scores_chosen, scores_rejected, optional subset / domain), from a built-in --baseline, or else from a "
            "judge run (any backend; pointwise or pairwise; cached to --cache as it goes, so a rerun resumes). "
            "Prints a markdown table; --output writes the JSON report. --compare A.json B.json shows two reports "
            "side by side."
        ),
    )
    parser.add_argument(
        "--benchmark", metavar="NAME", help="rewardbench, rewardbench2 or rmbench (required unless --compare)"
    )
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="benchmark files (JSONL, JSON, Parquet or a saved datasets folder). RM-Bench: total_dataset.json or "
        "the per-domain files; name a file's domain with DOMAIN=PATH when its name does not",
    )
    parser.add_argument("--split", help="split of a saved DatasetDict")
    parser.add_argument(
        "--skip-malformed",
        action="store_true",
        help="leave malformed rows out (counted and listed in the report) instead of stopping with an error",
    )
    parser.add_argument("--subsets", nargs="+", metavar="NAME", help="evaluate only these subsets (or RM-Bench parts)")
    parser.add_argument("--limit", type=int_at_least(0), help="evaluate only the first N rows (a quick, partial run)")
    source = parser.add_argument_group("where scores come from (default: a judge run)")
    source.add_argument("--scores", metavar="FILE", help="per-response scores, one JSON line per benchmark row")
    source.add_argument(
        "--baseline",
        choices=["length", "random"],
        help="a model-free scorer: length (characters; exposes length bias) or random (seeded chance level)",
    )
    judge = parser.add_argument_group("judge run")
    add_fields(judge, JudgeRunSettings, RUN_FIELDS, aliases=RUN_ALIASES)
    add_reference_arg(judge)
    judge.add_argument("--cache", metavar="FILE", help="JSONL of judgments, appended as they come; reruns resume")
    parser.add_argument(
        "--failures",
        choices=list(get_args(FailurePolicy)),
        default=inspect.signature(score_benchmark).parameters["failures"].default,  # the scorer's own default
        help="a failed judgment: wrong (default) makes every comparison it is in wrong, so a failure never raises "
        "a score; loses ranks the failed response below every scored one, as the benchmarks' rating scripts "
        "do, which credits the judge when the REJECTED side's judgment fails. Every report names the policy",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the JSON report here")
    parser.add_argument(
        "--compare", nargs=2, metavar=("REPORT_A", "REPORT_B"), help="show two JSON reports side by side"
    )
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
