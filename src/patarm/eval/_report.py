"""Reports: score any benchmark, render a report as a markdown table, compare two reports.

Numbers in reports are fractions in [0, 1]; tables show them as percentages, as papers do.

>>> from patarm.eval._rows import RowScores
>>> report = score_benchmark("rewardbench", [RowScores("1", (2.0,), (1.0,), subset="donotanswer")])
>>> print(render_markdown(report).splitlines()[2])
failed judgments scored as `wrong`
>>> print(render_markdown(report).splitlines()[8])
| Safety | 1 | 100.0 | 0.0 | 0 |
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.errors import ConfigError
from patarm.eval._counts import Counts
from patarm.eval._rewardbench import SECTIONS, RewardBenchReport, score_rewardbench
from patarm.eval._rewardbench2 import RewardBench2Report, score_rewardbench2
from patarm.eval._rmbench import RMBENCH_DOMAINS, RMBenchReport, score_rmbench
from patarm.eval._rows import DEFAULT_FAILURES, FailurePolicy, RowScores

__all__ = ["Report", "compare_reports", "flatten_report", "load_report", "render_markdown", "score_benchmark"]

Report = RewardBenchReport | RewardBench2Report | RMBenchReport
_TITLES = {"rewardbench": "RewardBench", "rewardbench2": "RewardBench 2", "rmbench": "RM-Bench"}


def score_benchmark(
    benchmark: str,
    scores: Iterable[RowScores],
    *,
    failures: FailurePolicy = DEFAULT_FAILURES,
    skipped_rows: int = 0,
    notes: Sequence[str] = (),
) -> Report:
    """Score rows of ``benchmark`` (``rewardbench``, ``rewardbench2`` or ``rmbench``) officially."""
    if benchmark == "rewardbench":
        return score_rewardbench(scores, failures=failures, skipped_rows=skipped_rows, notes=notes)
    if benchmark == "rewardbench2":
        return score_rewardbench2(scores, failures=failures, skipped_rows=skipped_rows, notes=notes)
    if benchmark == "rmbench":
        return score_rmbench(scores, failures=failures, skipped_rows=skipped_rows, notes=notes)
    raise ConfigError(f"unknown benchmark {benchmark!r}; expected rewardbench, rewardbench2 or rmbench")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _counts_cells(counts: Counts) -> list[str]:
    """The tie % and failed cells every table row ends with."""
    return [f"{100 * counts.tie_rate:.1f}", str(counts.failed_judgments)]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _run_line(run: Mapping[str, Any]) -> str | None:
    if not run:
        return None
    source = run.get("source")
    if source == "baseline":
        return f"scores: built-in `{run.get('baseline')}` baseline (no model)"
    if source == "scores":
        return f"scores: from `{run.get('scores')}`"
    parts = [f"judge: {run.get('mode')}", f"compare by {run.get('compare_by')}", f"voting {run.get('voting')}"]
    parts += [f"seed {run.get('seed')}", f"{run.get('samples')} samples ({run.get('malformed_samples')} malformed)"]
    if run.get("orders_compared"):
        parts.append(f"position agreement {_pct(run.get('position_agreement'))}% of {run['orders_compared']} pairs")
    return ", ".join(parts)


def render_markdown(report: Report) -> str:
    """The report as markdown: a title, one or two tables (percentages), the counts and notes."""
    title = f"## {_TITLES[report.benchmark]}"
    lines = [title, "", f"failed judgments scored as `{report.failures}`", ""]
    if isinstance(report, RMBenchReport):
        body = []
        for name in RMBENCH_DOMAINS:
            d = report.domains.get(name)
            if d is None:
                body.append([name, "0", "—", "—", "—", "—", "—", "—"])
            else:
                body.append(
                    [
                        name,
                        str(d.counts.rows),
                        _pct(d.easy),
                        _pct(d.normal),
                        _pct(d.hard),
                        _pct(d.score),
                        *_counts_cells(d.counts),
                    ]
                )
        present = len(RMBENCH_DOMAINS) - len(report.missing_domains)
        label = "**overall**" if not report.missing_domains else f"**overall ({present} of 4 domains)**"
        body.append(
            [
                label,
                str(report.counts.rows),
                _pct(report.easy),
                _pct(report.normal),
                _pct(report.hard),
                _pct(report.overall),
                *_counts_cells(report.counts),
            ]
        )
        lines += _table(["domain", "rows", "easy", "normal", "hard", "score", "tie %", "failed"], body)
    elif isinstance(report, RewardBenchReport):
        body = []
        for section, subsets in SECTIONS.items():
            kept = [s for s in subsets if s in report.subset_counts]
            total = sum((report.subset_counts[s] for s in kept), Counts())
            body.append([section, str(total.rows), _pct(report.sections.get(section)), *_counts_cells(total)])
        body.append(["**overall**", str(report.counts.rows), _pct(report.overall), *_counts_cells(report.counts)])
        lines += _table(["section", "rows", "score", "tie %", "failed"], body)
        lines += [""]
        sub = [[s, str(c.rows), _pct(report.subsets[s]), *_counts_cells(c)] for s, c in report.subset_counts.items()]
        lines += _table(["subset", "rows", "accuracy", "tie %", "failed"], sub)
        if report.prior_sets is not None:
            lines += [
                "",
                f"prior sets: {_pct(report.prior_sets)}; leaderboard overall (prior sets at half weight): "
                f"{_pct(report.leaderboard_overall)}",
            ]
    else:
        body = [[s, str(c.rows), _pct(report.subsets[s]), *_counts_cells(c)] for s, c in report.subset_counts.items()]
        body.append(["**overall**", str(report.counts.rows), _pct(report.overall), *_counts_cells(report.counts)])
        lines += _table(["subset", "rows", "score", "tie %", "failed"], body)
        if report.ties is not None:
            t = report.ties
            lines += [
                "",
                f"Ties: ref accuracy {_pct(t.ref_accuracy)}, tied accuracy {_pct(t.tied_accuracy)}, "
                f"correctness preferred {_pct(t.correctness_preferred)} (hard "
                f"{_pct(t.correctness_preferred_hard)}), margin score {t.margin_score:.3f}",
            ]
    c = report.counts
    lines += [
        "",
        f"rows {c.rows}, skipped {c.skipped_rows}, judgments {c.judgments} ({c.failed_judgments} failed), "
        f"comparisons {c.comparisons} ({c.correct} correct, {c.ties} ties, {c.failed_comparisons} with a "
        f"failure); failures scored as `{report.failures}`",
    ]
    run = _run_line(report.run)
    if run:
        lines.append(run)
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def load_report(path: str | Path) -> dict[str, Any]:
    """A report written by ``patarm eval --output``, as a dict (checked to name its benchmark)."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such report")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not a JSON report ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("benchmark") not in _TITLES:
        raise ConfigError(f"{source}: not a `patarm eval` report (no 'benchmark' field)")
    return data


def flatten_report(report: Mapping[str, Any]) -> dict[str, float | None]:
    """The report's scores as ``{metric: value}`` in display order (for comparisons)."""
    out: dict[str, float | None] = {"overall": report.get("overall")}
    kind = report["benchmark"]
    if kind == "rmbench":
        for key in ("easy", "normal", "hard"):
            out[key] = report.get(key)
        for name, d in (report.get("domains") or {}).items():
            for key in ("score", "easy", "normal", "hard"):
                out[f"{name}.{key}"] = None if d is None else d.get(key)
    elif kind == "rewardbench":
        for name, value in (report.get("sections") or {}).items():
            out[f"section {name}"] = value
        if report.get("prior_sets") is not None:
            out["prior sets"] = report["prior_sets"]
            out["leaderboard overall"] = report.get("leaderboard_overall")
        for name, value in (report.get("subsets") or {}).items():
            out[f"subset {name}"] = value
    else:
        for name, value in (report.get("subsets") or {}).items():
            out[f"subset {name}"] = value
    counts = report.get("counts") or {}
    out["tie rate"] = counts.get("tie_rate")
    out["failure rate"] = counts.get("failure_rate")
    return out


def compare_reports(a: Mapping[str, Any], b: Mapping[str, Any], *, names: tuple[str, str] = ("A", "B")) -> str:
    """A markdown table of two reports of one benchmark side by side, with B - A in points."""
    if a.get("benchmark") != b.get("benchmark"):
        raise ConfigError(f"cannot compare a {a.get('benchmark')} report with a {b.get('benchmark')} report")
    fa, fb = flatten_report(a), flatten_report(b)
    keys = list(fa) + [k for k in fb if k not in fa]
    rows = []
    for key in keys:
        va, vb = fa.get(key), fb.get(key)
        diff = "—" if va is None or vb is None else f"{100 * (vb - va):+.1f}"
        rows.append([key, _pct(va), _pct(vb), diff])
    lines = [f"## {_TITLES[str(a['benchmark'])]}: {names[0]} vs {names[1]}", ""]
    policies = [str(r.get("failures", "unrecorded")) for r in (a, b)]
    lines += [f"failed judgments scored as: {names[0]} `{policies[0]}`, {names[1]} `{policies[1]}`", ""]
    if policies[0] != policies[1]:
        lines += ["warning: the two reports score failed judgments differently; their numbers do not compare", ""]
    lines += _table(["metric", names[0], names[1], f"{names[1]} - {names[0]}"], rows)
    for label, report in zip(names, (a, b), strict=True):
        lines += [f"note ({label}): {n}" for n in report.get("notes") or []]
    return "\n".join(lines)
