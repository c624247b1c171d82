"""``patarm audit``: a judge's health report before it becomes a reward.

Runs a judge (any backend) over the user's pairs or a benchmark file and writes
``audit.json``, ``audit.md`` and PNG plots; judgments are kept in ``OUTPUT/judgments.jsonl``
as they come, so rerunning the same command resumes. ``--compare A B`` shows two judges side
by side: each of A and B is an audit report (``audit.json`` or its folder) or a model for
``--backend``, audited first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    add_reference_arg,
    backend_from_args,
    config_from_args,
    replica_lines,
    template_dir,
)
from patarm.cli._fields import Alias, add_fields, field_values
from patarm.errors import ConfigError

__all__ = ["add_parser"]

QUICK_PAIRS = 300  # --quick alone
# The AuditSettings fields set from options (see patarm.cli._fields), and the former spellings.
AUDIT_FIELDS = ("quick", "pairwise", "chunk")
AUDIT_ALIASES: dict[str, list[Alias]] = {"chunk": ["--chunk-items"]}


def _audit(args: argparse.Namespace, data: Any, output: Path, model: str | None) -> dict[str, Any]:
    from patarm.audit import AuditSettings, run_audit
    from patarm.judges import Judge, PairwiseJudge, PointwiseJudge
    from patarm.rubrics import CriteriaCache, RubricSet

    args = argparse.Namespace(**{**vars(args), "model": model})
    config = config_from_args(args)
    backend = backend_from_args(args)
    rubrics = RubricSet(args.rubric_dir or ())
    criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None

    judges: dict[str, Judge[Any, Any]] = {
        "point": PointwiseJudge(
            backend, config, rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args)
        ),
        "pair": PairwiseJudge(
            backend, config, rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args)
        ),
    }
    settings = AuditSettings(
        **field_values(args, AUDIT_FIELDS),
        seed=config.seed,
        scale=config.scale,
        judge=model or args.backend,
        samples_per_judgment=config.samples,
    )
    fingerprint = {"backend": args.backend, "model": model, "rubric_dir": list(args.rubric_dir or ())}
    report = run_audit(
        data,
        judges,
        settings,
        output=output,
        fingerprint=fingerprint,
        progress=True,
    )
    for line in replica_lines(backend):  # on stderr: stdout carries the report's markdown
        print(f"{model or args.backend}: {line}", file=sys.stderr)
    return report


def _load_data(args: argparse.Namespace) -> Any:
    from patarm.audit import load_audit_data
    from patarm.store import check_distinct

    if not args.input:
        raise ConfigError("--input is required (a pairs file, or a benchmark file with --benchmark)")
    written = [Path(args.output) / name for name in ("audit.json", "audit.md", "judgments.jsonl")]
    check_distinct({"--input": args.input}, {"--output": written})
    data = load_audit_data(
        args.input, benchmark=args.benchmark, skip_malformed=args.skip_malformed, reference_col=args.reference_col
    )
    if data.skipped:
        print(f"note: {sum(data.skipped.values())} malformed row(s) skipped: {data.skipped}")
    return data


def _compare(args: argparse.Namespace, output: Path) -> int:
    from patarm.audit import compare_markdown, load_audit
    from patarm.audit.plots import plot_all
    from patarm.cli._compare import run_side_by_side

    data: list[Any] = []  # read once, and only when a side is a judge to audit now

    def audit_now(folder: Path, model: str) -> Any:
        if not data:
            data.append(_load_data(args))
        return _audit(args, data[0], folder, model)

    return run_side_by_side(
        args.compare, output, report_file="audit.json", load=load_audit, run=audit_now,
        markdown=compare_markdown, plot=plot_all,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from patarm.audit import audit_markdown

    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise ConfigError(f"--output {output}: is a file; name a folder for the report")
    if args.compare:
        return _compare(args, output)
    report = _audit(args, _load_data(args), output, args.model)
    print(audit_markdown(report), end="")
    print(f"report: {output / 'audit.md'}, {output / 'audit.json'}; plots and judgments in {output}/")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from patarm.audit import AuditSettings

    parser = commands.add_parser(
        "audit",
        help="a judge's health report: accuracy, length/style/position bias, injection, consistency, scale use",
        description=(
            "Judge the pairs of --input (pointwise, and pairwise in both orders) together with rewrites of their own "
            "responses: plain vs markdown renderings, and the rejected response with planted attacks (a final-score "
            "tag in several spellings, an instruction to ignore the rubric, a fake rubric, a claim of expert review) "
            "next to length-matched controls. Writes OUTPUT/audit.json (every figure with its n and 95% interval), "
            "OUTPUT/audit.md (a verdict per check) and PNG plots. Judgments are kept in OUTPUT/judgments.jsonl as "
            "they come: rerun the same command to resume."
        ),
    )
    parser.add_argument("--input", "-i", metavar="PATH", help="preference pairs (prompt, chosen, rejected), or a "
                        "benchmark file with --benchmark")  # fmt: skip
    parser.add_argument("--benchmark", choices=["rewardbench", "rewardbench2", "rmbench"], help="read --input as "
                        "this benchmark (RM-Bench adds its hard/normal/easy split)")  # fmt: skip
    parser.add_argument("--skip-malformed", action="store_true", help="leave malformed rows out (counted)")
    add_reference_arg(parser)
    add_fields(parser, AuditSettings, AUDIT_FIELDS, aliases=AUDIT_ALIASES, bare={"quick": QUICK_PAIRS})
    parser.add_argument("--output", "-o", required=True, metavar="DIR", help="folder for the report, plots, judgments")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="two judges side by side: each an audit report (audit.json or its folder) or a model for --backend",
    )
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
