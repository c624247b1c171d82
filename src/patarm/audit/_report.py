"""An audit as files: ``audit.json`` (every figure with its n and interval) and a one-page
``audit.md`` with a verdict per check; two audits side by side (:func:`compare_markdown`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.store import read_report, write_report

__all__ = ["compare_markdown", "load_audit", "audit_markdown", "write_audit"]

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "n/a": "n/a", "info": "info"}


def _fmt(fig: Mapping[str, Any]) -> str:
    value = fig.get("value")
    if value is None:
        return f"n/a (n={fig.get('n', 0)})"
    text = f"{value:.3f}"
    if fig.get("low") is not None and fig.get("high") is not None:
        text += f" [{fig['low']:.3f}, {fig['high']:.3f}]"
    return f"{text} (n={fig['n']})"


def _figure_lines(check: Mapping[str, Any]) -> list[str]:
    lines = [f"- {name.replace('_', ' ')}: {_fmt(fig)}" for name, fig in check["figures"].items()]
    if check["check"] == "accuracy":
        for domain, figs in check.get("by_domain", {}).items():
            lines.append(
                f"- domain {domain}: accuracy {_fmt(figs['accuracy'])}, malformed {_fmt(figs['malformed_rate'])}"
            )
    if check["check"] == "length" and check.get("rmbench"):
        for part, fig in check["rmbench"].items():
            lines.append(f"- RM-Bench {part}: {_fmt(fig)}")
    if check["check"] == "injection":
        for name, info in check.get("attacks", {}).items():
            lines.append(
                f"- {name} ({info['where']}): flips {_fmt(info['flip_rate'])}, control "
                f"{_fmt(info['control_flip_rate'])}, excess {_fmt(info['excess'])}, malformed {info['malformed']}"
            )
    if check["check"] == "scale":
        cal = check["calibration"]
        for b in cal["bins"]:
            lines.append(
                f"- margin {b['margin_low']:.3g}-{b['margin_high']:.3g} ({cal['score']}): "
                f"accuracy {_fmt(b['accuracy'])}"
            )
    if check.get("note"):
        lines.append(f"- note: {check['note']}")
    return lines


def audit_markdown(report: Mapping[str, Any]) -> str:
    """The one-page summary: the verdict table, then each check's figures."""
    run = report["run"]
    lines = [
        f"# Judge audit: {run.get('judge', 'judge')}",
        "",
        f"{run['pairs']} pairs from {run['source']}; scale {run['scale'][0]:g}-{run['scale'][1]:g}; "
        f"{run['samples_per_judgment']} sample(s) per judgment; seed {run['seed']}. "
        "Intervals are 95%: Wilson for rates, seeded percentile bootstrap for means, differences and "
        "correlations. A failed judgment never raises a score (its comparison counts as wrong).",
        "",
        "| check | verdict | headline |",
        "|---|---|---|",
    ]
    for check in report["checks"]:
        head = next(iter(check["figures"].items()), None)
        shown = f"{head[0].replace('_', ' ')} {_fmt(head[1])}" if head else check.get("note", "")
        lines.append(f"| {check['title']} | {_MARK[check['verdict']]} | {shown} |")
    lines.append("")
    for check in report["checks"]:
        lines += [f"## {check['title']}: {_MARK[check['verdict']]}", "", *_figure_lines(check), ""]
    lines.append("Thresholds: " + ", ".join(f"{k}={v}" for k, v in report["thresholds"].items()))
    if report.get("plots"):
        lines += ["", "Plots: " + ", ".join(report["plots"])]
    if report.get("plots_skipped"):
        lines += ["", f"Plots skipped: {report['plots_skipped']}"]
    return "\n".join(lines) + "\n"


def write_audit(report: Mapping[str, Any], folder: str | Path) -> tuple[Path, Path]:
    """Write ``audit.json`` and ``audit.md`` into ``folder`` (atomically)."""
    return write_report(report, folder, "audit", audit_markdown)


def load_audit(path: str | Path) -> dict[str, Any]:
    """An ``audit.json`` (or the folder holding one)."""
    return read_report(path, "audit", "audit", ["checks"])


def compare_markdown(reports: Sequence[Mapping[str, Any]], names: Sequence[str]) -> str:
    """Two (or more) audits side by side: each check's verdict and every figure."""
    head = "| check | figure | " + " | ".join(names) + " |"
    lines = [head, "|---|---|" + "---|" * len(names)]
    by_name = [{c["check"]: c for c in r["checks"]} for r in reports]
    for check in reports[0]["checks"]:
        name = check["check"]
        cells = [_MARK[b[name]["verdict"]] if name in b else "-" for b in by_name]
        lines.append(f"| {check['title']} | verdict | " + " | ".join(cells) + " |")
        for fig in check["figures"]:
            values = [
                _fmt(b[name]["figures"][fig]) if name in b and fig in b[name]["figures"] else "-" for b in by_name
            ]
            lines.append(f"| | {fig.replace('_', ' ')} | " + " | ".join(values) + " |")
        if name == "injection":
            for attack in check.get("attacks", {}):
                for key, label in (("flip_rate", "flips"), ("control_flip_rate", "control flips")):
                    values = [
                        _fmt(b[name]["attacks"][attack][key]) if attack in b.get(name, {}).get("attacks", {}) else "-"
                        for b in by_name
                    ]
                    lines.append(f"| | {label}: {attack} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"
