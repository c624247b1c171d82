"""The analyses' reports as markdown tables (what the commands print and save)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["analysis_markdown"]


def _pct(figure: Mapping[str, Any] | None) -> str:
    if figure is None or figure.get("value") is None:
        return "-"
    low, high = figure.get("low"), figure.get("high")
    interval = f" [{100 * low:.1f}, {100 * high:.1f}]" if low is not None and high is not None else ""
    return f"{100 * figure['value']:.1f}{interval}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _votes(report: Mapping[str, Any]) -> list[str]:
    lines = [
        f"## Accuracy vs number of votes ({report['pairs']} pairs, k_max {report['k_max']}, {report['voting']} vote)",
        "",
        "Pair accuracy in %, 95% interval in brackets; ties and failed judgments count as wrong.",
        f"Failed judgments: {report['failed_judgments']}; malformed samples: {report['malformed_samples']}.",
        "",
        "| k | first k samples | mean over random k-subsets |",
        "|---|---|---|",
    ]
    lines += [f"| {p['k']} | {_pct(p['first'])} | {_pct(p['subsets'])} |" for p in report["curve"]]
    return lines


def _best_of_n(report: Mapping[str, Any]) -> list[str]:
    lines = [
        f"## Best-of-N ({report['rows']} prompts, {report['candidates']} candidates, {report['draws']} subsets per N')",
        "",
        "Share of prompts whose pick is correct, in %, 95% interval in brackets. Judge: the top-scored "
        "candidate, ties broken by a seeded random choice; expected: ties resolved in expectation.",
        f"Failed judgments (ranked last): {report['failed_judgments']}.",
        "",
        "| N' | judge | expected | random | oracle | tie breaks |",
        "|---|---|---|---|---|---|",
    ]
    for p in report["curve"]:
        cells = [_pct(p[name]) for name in ("judge", "expected", "random", "oracle")]
        lines.append(f"| {p['n']} | {' | '.join(cells)} | {p['ties']} of {p['picks']} |")
    if report.get("uneven"):
        lines += ["", f"Rows have {report['uneven']} candidates: N' goes up to the fewest, {report['n_max']}."]
    return lines


def _seeds(report: Mapping[str, Any]) -> list[str]:
    seeds = report["seeds"]
    lines = [
        f"## Accuracy over seeds {', '.join(map(str, seeds))} ({report['pairs']} pairs, {report['voting']} vote)",
        "",
        "Pair accuracy in % over the first k samples: mean, sample standard deviation and each seed's value.",
        "",
        "| k | mean | std | " + " | ".join(f"seed {s}" for s in seeds) + " |",
        "|---|---|---|" + "---|" * len(seeds),
    ]
    for p in report["curve"]:
        per = " | ".join(_num(p["per_seed"][str(s)]) for s in seeds)
        lines.append(f"| {p['k']} | {_num(p['mean'])} | {_num(p['std'])} | {per} |")
    return lines


def analysis_markdown(report: Mapping[str, Any]) -> str:
    """A report of :func:`~patarm.analysis.analyze_votes`, ``analyze_best_of_n`` or ``analyze_seeds`` as markdown."""
    kind = report["analysis"]
    lines = {"votes": _votes, "best-of-n": _best_of_n, "seeds": _seeds}[kind](report)
    return "\n".join(lines) + "\n"
