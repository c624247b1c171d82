"""The analysis plots as PNG: accuracy against k, Best-of-N accuracy against N', and a
figure's mean and spread over seeds, each from the report of its ``analyze_*`` call.

Needs matplotlib (extra ``audit``), imported only when a plot is drawn (by
:func:`patarm.store.new_figure`), so importing this module loads no matplotlib; without it a
plot raises :class:`~patarm.errors.MissingExtraError` naming the extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.store import new_figure, save_png

__all__ = ["plot_best_of_n", "plot_seeds", "plot_votes"]


def _axes() -> tuple[Any, Any]:
    return new_figure()


def _finish(
    fig: Any, ax: Any, path: str | Path, *, ticks: Sequence[float], xlabel: str, ylabel: str, title: str
) -> Path:
    """Mark ``ticks`` on the x axis, label both axes, title the plot and save it as PNG at
    ``path``: the one ending of every analysis plot."""
    ax.set_xticks(ticks)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return save_png(fig, ax, path)


def _finish_accuracy_by_k(fig: Any, ax: Any, path: str | Path, ks: Sequence[int], title: str) -> Path:
    """:func:`_finish` for a plot of pair accuracy (y) against the number of votes k (x)."""
    return _finish(fig, ax, path, ticks=ks, xlabel="k (votes per response)", ylabel="pair accuracy", title=title)


def _band(ax: Any, xs: Sequence[float], figures: Sequence[Mapping[str, Any] | None], label: str, **style: Any) -> None:
    shown = [(x, f) for x, f in zip(xs, figures, strict=True) if f is not None and f["value"] is not None]
    if not shown:
        return
    x = [p[0] for p in shown]
    ax.plot(x, [p[1]["value"] for p in shown], marker="o", label=label, **style)
    lows = [p[1]["low"] if p[1]["low"] is not None else p[1]["value"] for p in shown]
    highs = [p[1]["high"] if p[1]["high"] is not None else p[1]["value"] for p in shown]
    ax.fill_between(x, lows, highs, alpha=0.15, color=ax.get_lines()[-1].get_color())


def plot_votes(report: Mapping[str, Any], path: str | Path) -> Path:
    """Pair accuracy against k (first k samples, and the k-subset average if drawn), with 95% bands."""
    fig, ax = _axes()
    ks = [p["k"] for p in report["curve"]]
    _band(ax, ks, [p["first"] for p in report["curve"]], f"first k samples ({report['voting']} vote)")
    _band(ax, ks, [p["subsets"] for p in report["curve"]], f"mean over {report['draws']} random k-subsets")
    return _finish_accuracy_by_k(fig, ax, path, ks, f"Accuracy vs number of votes ({report['pairs']} pairs)")


def plot_best_of_n(report: Mapping[str, Any], path: str | Path) -> Path:
    """Best-of-N accuracy of the judge against random choice and the oracle, per N'."""
    fig, ax = _axes()
    ns = [p["n"] for p in report["curve"]]
    _band(ax, ns, [p["oracle"] for p in report["curve"]], "oracle (a correct one if any)", ls="--")
    _band(ax, ns, [p["judge"] for p in report["curve"]], "judge's top-scored (seeded tie breaks)")
    _band(ax, ns, [p["random"] for p in report["curve"]], "random choice", ls=":")
    ax.set_ylim(-0.02, 1.02)
    return _finish(
        fig,
        ax,
        path,
        ticks=ns,
        xlabel="N' (candidates per prompt)",
        ylabel="share of prompts whose pick is correct",
        title=f"Best-of-N ({report['rows']} prompts)",
    )


def plot_seeds(report: Mapping[str, Any], path: str | Path) -> Path:
    """Accuracy against k: each seed's curve and the mean with +-1 std."""
    fig, ax = _axes()
    ks = [p["k"] for p in report["curve"]]
    for seed in report["seeds"]:
        ax.plot(ks, [p["per_seed"][str(seed)] for p in report["curve"]], lw=0.8, alpha=0.5, label=f"seed {seed}")
    means = [p["mean"] for p in report["curve"]]
    stds = [p["std"] or 0.0 for p in report["curve"]]
    ax.errorbar(ks, means, yerr=stds, marker="o", capsize=4, color="black", label="mean +- std")
    return _finish_accuracy_by_k(
        fig, ax, path, ks, f"Accuracy over {len(report['seeds'])} seeds ({report['pairs']} pairs)"
    )
