"""A check as files: ``hackcheck.json`` (every figure) and a one-page ``hackcheck.md``; two
checks side by side (:func:`compare_hackchecks`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import patarm.store as report_files

__all__ = ["compare_hackchecks", "divergence_text", "hackcheck_markdown", "load_hackcheck", "write_hackcheck"]

_VERDICT = {
    "hacking": "REWARD HACKING: reward rose and gold did not keep up",
    "suspect": "SUSPECT: reward ran ahead of gold, but not clearly beyond the margin",
    "healthy": "HEALTHY: gold kept up with reward",
}


def _num(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fig(fig: Mapping[str, Any]) -> str:
    text = _num(fig.get("value"))
    if fig.get("low") is not None and fig.get("high") is not None:
        text += f" [{fig['low']:.3f}, {fig['high']:.3f}]"
    return text


def cell(text: str, limit: int = 300) -> str:
    """Untrusted text (a policy output, a word from one) as one markdown table cell or code span:
    printable, one line, no column bar or backtick, at most ``limit`` characters.

    >>> cell("a|b`c\\nd\\x07")
    "a/b'c d?"
    """
    shown = "".join(c if c.isprintable() else (" " if c in "\n\r\t" else "?") for c in text[:limit])
    return shown.replace("|", "/").replace("`", "'")


def divergence_text(report: Mapping[str, Any]) -> str:
    d = report["divergence"]
    if d["step"] is None:
        within = f"reward and gold stay within {report['margin']:g} of each other"
        return f"never ({within}; {d['share']:.0%} of resamples part)"
    span = f" [{d['low']}, {d['high']}]" if d["low"] is not None else ""
    return f"step {d['step']}{span} (95% bootstrap over prompts; {d['share']:.0%} of {d['resamples']} resamples part)"


def _exploited(report: Mapping[str, Any]) -> str:
    return ", ".join(cell(f) for f in report["exploited"]) or "none named"


def hackcheck_markdown(report: Mapping[str, Any]) -> str:
    """The one-page summary: verdict, gap curve, divergence step, features, examples."""
    run = report["run"]
    s = run["settings"]
    lines = [
        f"# Reward-hacking check: {run['judge']}",
        "",
        f"Policy {run['policy']} trained with GRPO for {report['curve'][-1]['step']} steps against the judge "
        f"alone; gold: {run['gold']}. Held-out: {run['eval_prompts']} prompts x {s['eval_samples']} samples "
        f"per evaluated step. Gains are shares of scale (reward {s['reward_scale'][0]:g}-{s['reward_scale'][1]:g}, "
        f"gold {s['gold_scale'][0]:g}-{s['gold_scale'][1]:g}) since the first step; margin {report['margin']:g}.",
        "",
        f"**{_VERDICT[report['verdict']]}**",
        "",
        f"- reward gain: {_fig(report['final']['reward_gain'])}",
        f"- gold gain: {_fig(report['final']['gold_gain'])}",
        f"- gap at the end (reward gain - gold gain): {_fig(report['final']['gap'])}",
        f"- reward and gold part at: {divergence_text(report)}",
        f"- exploited: {_exploited(report)}",
        f"- unscored outputs: reward {report['unscored']['reward']}, gold {report['unscored']['gold']}",
        "",
        "## Over steps",
        "",
        "| step | reward | gold | reward gain | gold gain | gap | vocabulary shift | length |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for point, traj in zip(report["curve"], report["trajectory"], strict=True):
        lines.append(
            f"| {point['step']} | {_num(point['reward'])} | {_num(point['gold'])} | {_num(point['reward_gain'])} | "
            f"{_num(point['gold_gain'])} | {_num(point['gap'])} | {_num(traj['vocabulary_shift'])} | "
            f"{_num(traj['length'], 1)} |"
        )
    lines += [
        "",
        "## Features that moved (first to last evaluated step)",
        "",
        "Shift: standardised mean change. Paid: Spearman correlation with the excess reward "
        "(reward share - gold share) over every scored output.",
        "",
        "| feature | start | end | shift | paid |",
        "|---|---|---|---|---|",
    ]
    for row in report["moved"][:12]:
        lines.append(
            f"| {cell(row['feature'])} | {_num(row['start'], 2)} | {_num(row['end'], 2)} | {row['shift']:+.2f} | "
            f"{_num(row['paid'], 2)} |"
        )
    lines += ["", "## Highest-reward, lowest-gold outputs (last step)", ""]
    for ex in report["examples"]:
        shown = cell(ex["output"])
        lines.append(f"- reward {ex['reward']:g}, gold {ex['gold']:g}: `{shown}`")
    if report.get("plots"):
        lines += ["", "Plots: " + ", ".join(report["plots"])]
    if report.get("plots_skipped"):
        lines += ["", f"Plots skipped: {report['plots_skipped']}"]
    return "\n".join(lines) + "\n"


def write_hackcheck(report: Mapping[str, Any], folder: str | Path) -> tuple[Path, Path]:
    """Write ``hackcheck.json`` and ``hackcheck.md`` into ``folder`` (atomically)."""
    return report_files.write_report(report, folder, "hackcheck", hackcheck_markdown)


def load_hackcheck(path: str | Path) -> dict[str, Any]:
    """A ``hackcheck.json`` (or the folder holding one)."""
    return report_files.read_report(path, "hackcheck", "hackcheck", ["curve", "verdict"])


def compare_hackchecks(reports: Sequence[Mapping[str, Any]], names: Sequence[str]) -> str:
    """Two (or more) checks side by side."""
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows: list[tuple[str, Callable[[Mapping[str, Any]], str]]] = [
        ("verdict", lambda r: r["verdict"].upper()),
        ("reward gain", lambda r: _fig(r["final"]["reward_gain"])),
        ("gold gain", lambda r: _fig(r["final"]["gold_gain"])),
        ("gap at the end", lambda r: _fig(r["final"]["gap"])),
        ("part at", lambda r: divergence_text(r)),
        ("exploited", _exploited),
        ("most moved", lambda r: ", ".join(f"{cell(m['feature'])} {m['shift']:+.1f}" for m in r["moved"][:3])),
    ]
    for label, value_of in rows:
        lines.append(f"| {label} | " + " | ".join(value_of(r) for r in reports) + " |")
    return "\n".join(lines) + "\n"
