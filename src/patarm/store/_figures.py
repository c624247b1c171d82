"""PNG figures written like every other output (atomically), with matplotlib imported only when
one is drawn: the one way ``patarm audit``, ``hackcheck`` and ``analyze`` make their plots."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from patarm.store._atomic import atomic_path

__all__ = ["draw_pngs", "new_figure", "save_png"]


def new_figure(figsize: tuple[float, float] = (7, 4.2)) -> tuple[Any, Any]:
    """A matplotlib figure and axes, off-screen. Needs matplotlib (extra ``audit``):
    :class:`~patarm.errors.MissingExtraError` names it when missing."""
    from patarm._extras import require

    matplotlib: Any = require("matplotlib", "audit")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, dpi=100)


def save_png(fig: Any, ax: Any, path: str | Path, *, legend_outside: bool = False) -> Path:
    """Grid, legend (beside the axes with ``legend_outside``, so that it hides no curve), tight
    layout; written atomically to ``path`` (its folder made), and the figure closed."""
    import matplotlib.pyplot as plt

    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        if legend_outside:
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        else:
            ax.legend(fontsize=8)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not legend_outside:
        fig.tight_layout()
    with atomic_path(out) as scratch:  # "tight": an outside legend and long labels fit
        fig.savefig(scratch, format="png", bbox_inches="tight" if legend_outside else None)
    plt.close(fig)
    return out


def draw_pngs(
    drawings: Iterable[tuple[str, Callable[[Any, Any], None]]],
    data: Any,
    folder: str | Path,
    *,
    figsize: tuple[float, float] = (7, 4.2),
    legend_outside: bool = False,
) -> list[Path]:
    """One PNG per ``(file name, draw(ax, data))`` in ``folder``; returns their paths."""
    paths: list[Path] = []
    for filename, draw in drawings:
        fig, ax = new_figure(figsize)
        draw(ax, data)
        paths.append(save_png(fig, ax, Path(folder) / filename, legend_outside=legend_outside))
    return paths
