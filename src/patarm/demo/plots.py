"""The demo's training curves as a PNG, as ``patarm demo`` draws them from its result's
history.

Needs matplotlib (extra ``demo``), imported only when the plot is drawn, so importing this
module loads no matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from patarm.store import atomic_path

__all__ = ["plot_history"]


def plot_history(
    history: list[dict[str, float]], path: str | Path, *, before: float, after: float, title: str = ""
) -> Path:
    """Reward, batch pair accuracy and malformed rate over GRPO steps, with held-out accuracy
    before and after RL marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    ax.plot(steps, [h.get("reward", float("nan")) for h in history], label="mean reward (PAR + format)")
    ax.plot(steps, [h.get("par/pair_accuracy", float("nan")) for h in history], label="batch pair accuracy")
    ax.plot(steps, [h.get("par/malformed_rate", float("nan")) for h in history], label="malformed rate")
    last = steps[-1] if steps else 1.0
    ax.scatter([0, last], [before, after], color="black", zorder=3, label="held-out pair accuracy")
    ax.annotate(f"{before:.2f}", (0, before), textcoords="offset points", xytext=(6, -12))
    ax.annotate(f"{after:.2f}", (last, after), textcoords="offset points", xytext=(-30, 6))
    ax.set_xlabel("GRPO step")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or "PaTaRM demo: a tiny judge learns from pairs alone")
    fig.tight_layout()
    out = Path(path)
    with atomic_path(out) as scratch:  # written beside, renamed when complete
        fig.savefig(scratch, format=out.suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return out
