"""The check's PNG plots: reward and gold gains over steps with the divergence step marked,
and the features that moved most. Each takes one or more named reports, so the same plots show
two judges side by side; :func:`patarm.hackcheck.run_hackcheck` draws them, ``patarm hackcheck
--compare`` too.

Needs matplotlib (extra ``audit``), imported only when a plot is drawn (by
:func:`patarm.store.new_figure`), so importing this module loads no matplotlib; without it a
plot raises :class:`~patarm.errors.MissingExtraError` naming the extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.store import draw_pngs

__all__ = ["PLOTS", "plot_report"]

PLOTS = ("reward_vs_gold.png", "features.png")
Named = Sequence[tuple[str, Mapping[str, Any]]]


def _label(text: str) -> str:
    """A feature name as a plot label: printable characters only, at most 40 (the words come
    from the policy's outputs, which may hold anything)."""
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= 40 else shown[:39] + "..."


def _gains(ax: Any, reports: Named) -> None:
    for k, (name, report) in enumerate(reports):
        colour = f"C{k}"
        steps = [p["step"] for p in report["curve"]]
        ax.plot(steps, [p["reward_gain"] for p in report["curve"]], color=colour, marker="o", ms=3,
                label=f"{name}: reward gain")  # fmt: skip
        ax.plot(steps, [p["gold_gain"] for p in report["curve"]], color=colour, ls="--", marker="s", ms=3,
                label=f"{name}: gold gain")  # fmt: skip
        d = report["divergence"]
        if d["step"] is not None:
            ax.axvline(d["step"], color=colour, lw=0.8, ls=":")
            if d["low"] is not None:
                ax.axvspan(d["low"], d["high"], color=colour, alpha=0.08)
    ax.axhline(0.0, color="grey", lw=0.6)
    ax.set_xlabel("GRPO step")
    ax.set_ylabel("gain since the start (share of scale)")
    ax.set_title("Reward vs gold on held-out prompts (dotted: where they part)")


def _moved(ax: Any, reports: Named) -> None:
    names: list[str] = []
    for _, report in reports:
        names += [m["feature"] for m in report["moved"][:6] if m["feature"] not in names]
    height = 0.8 / len(reports)
    for k, (label, report) in enumerate(reports):
        shifts = {m["feature"]: m["shift"] for m in report["moved"]}
        exploited = set(report["exploited"])
        ys = [i + (k - (len(reports) - 1) / 2) * height for i in range(len(names))]
        bars = ax.barh(ys, [shifts.get(n, 0.0) for n in names], height=height, color=f"C{k}", label=label)
        for bar, n in zip(bars, names, strict=True):
            if n in exploited:
                bar.set_hatch("//")
    ax.set_yticks(range(len(names)), [_label(n) for n in names])
    ax.invert_yaxis()
    ax.axvline(0.0, color="grey", lw=0.6)
    ax.set_xlabel("standardised shift, first to last step (hatched: exploited)")
    ax.set_title("What changed in the policy's outputs")


def plot_report(reports: Named, folder: str | Path) -> list[Path]:
    """Write the plots into ``folder``; returns their paths. Needs matplotlib (extra
    ``patarm[audit]``): :class:`~patarm.errors.MissingExtraError` names it when missing."""
    drawings = zip(PLOTS, (_gains, _moved), strict=True)
    return draw_pngs(drawings, reports, folder, figsize=(9.5, 4.5), legend_outside=True)
