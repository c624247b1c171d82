"""The audit's PNG plots: score histogram, score vs length, flip rates per attack, margin
calibration. Each takes one or more named reports, so the same plots show two judges side by
side; :func:`patarm.audit.run_audit` draws them, ``patarm audit --compare`` too.

Needs matplotlib (extra ``audit``), imported only when a plot is drawn (by
:func:`patarm.store.new_figure`), so importing this module loads no matplotlib; without it a
plot raises :class:`~patarm.errors.MissingExtraError` naming the extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.store import draw_pngs

__all__ = ["PLOTS", "plot_all"]

PLOTS = ("score_histogram.png", "score_vs_length.png", "attack_flips.png", "margin_calibration.png")
Named = Sequence[tuple[str, Mapping[str, Any]]]


def _check(report: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return next(c for c in report["checks"] if c["check"] == name)


def _histogram(ax: Any, reports: Named) -> None:
    data = [
        [float(k) for k, count in _check(report, "scale")["histogram"].items() for _ in range(count)]
        for _, report in reports
    ]
    values = sorted({v for d in data for v in d})
    if values:
        low, high = values[0], values[-1]
        edges = [low + (high - low + 1e-9) * i / 20 for i in range(21)] if high > low else [low - 0.5, low + 0.5]
        ax.hist(data, bins=edges, label=[name for name, _ in reports])
    ax.set_xlabel("score (voted over the k samples)")
    ax.set_ylabel("responses")
    ax.set_title("Score histogram")


def _length(ax: Any, reports: Named) -> None:
    markers = {"chosen": "o", "rejected": "x"}
    for name, report in reports:
        points = [p for p in _check(report, "length").get("points", []) if p["score"] is not None]
        for side, marker in markers.items():
            got = [p for p in points if p["side"] == side]
            ax.scatter(
                [p["length"] for p in got], [p["score"] for p in got], marker=marker, s=12, alpha=0.6,
                label=f"{name}: {side}",
            )  # fmt: skip
    lengths = [p["length"] for _, r in reports for p in _check(r, "length").get("points", []) if p["score"] is not None]
    if lengths and min(lengths) > 0 and max(lengths) > 10 * min(lengths):
        ax.set_xscale("log")
    ax.set_xlabel("response length (characters)")
    ax.set_ylabel("score")
    ax.set_title("Score vs length")


def _attacks(ax: Any, reports: Named) -> None:
    names = list(_check(reports[0][1], "injection")["attacks"])
    width = 0.8 / (2 * len(reports))
    for i, (label, report) in enumerate(reports):
        attacks = _check(report, "injection")["attacks"]
        for j, key in enumerate(("flip_rate", "control_flip_rate")):
            offset = (2 * i + j - (2 * len(reports) - 1) / 2) * width
            values = [attacks[n][key]["value"] or 0.0 for n in names]
            ax.bar(
                [k + offset for k in range(len(names))], values, width=width, alpha=1.0 if j == 0 else 0.45,
                label=f"{label}: {'attack' if j == 0 else 'length-matched control'}",
            )  # fmt: skip
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of pairs flipped")
    ax.set_title("Decision flips per attack (on the rejected response)")


def _calibration(ax: Any, reports: Named) -> None:
    for name, report in reports:
        cal = _check(report, "scale")["calibration"]
        bins = [b for b in cal["bins"] if b["accuracy"]["value"] is not None]
        xs = [(b["margin_low"] + b["margin_high"]) / 2 for b in bins]
        ys = [b["accuracy"]["value"] for b in bins]
        lows = [b["accuracy"]["low"] for b in bins]
        highs = [b["accuracy"]["high"] for b in bins]
        err = [
            [max(0.0, y - (y if lo is None else lo)) for y, lo in zip(ys, lows, strict=True)],
            [max(0.0, (y if hi is None else hi) - y) for y, hi in zip(ys, highs, strict=True)],
        ]
        ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, label=f"{name} ({cal['score']})")
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("|score margin| between the two responses")
    ax.set_ylabel("share where the higher-scored one is chosen")
    ax.set_title("Margin calibration")


def plot_all(reports: Named, folder: str | Path) -> list[Path]:
    """Write the four plots into ``folder``; returns their paths. Needs matplotlib (extra
    ``patarm[audit]``): :class:`~patarm.errors.MissingExtraError` names it when missing."""
    return draw_pngs(zip(PLOTS, (_histogram, _length, _attacks, _calibration), strict=True), reports, folder)
