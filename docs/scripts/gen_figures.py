"""Draw the site's figures with matplotlib, from patarm's own code and the recorded results.

- ``figures/par_delta.svg``: the PAR reward of one rollout against its margin over the partner
  side's mean, for each built-in delta, computed by ``patarm.rewards.par_rewards``;
- ``figures/rendezvous.svg``: how two rollouts of one pair meet at the rendezvous;
- ``figures/demo_training.png``: the training plot ``patarm demo`` writes, for the recorded
  default run ``docs/results/demo_constant.json``;
- ``figures/demo_curves.svg``: the demo's batch pair accuracy over GRPO steps for each run
  recorded in ``docs/results/demo_*.json`` (each the ``metrics.json`` of one ``patarm demo`` run;
  the Results page gives the commands).

Run by mkdocs-gen-files at build time; ``python docs/scripts/gen_figures.py --out DIR`` writes
the same files into DIR.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from patarm.rewards import constant_delta, graded_delta, par_rewards

RESULTS = Path(__file__).resolve().parents[1] / "results"


def par_delta_figure(out: IO[bytes]) -> None:
    """Reward of a chosen-side rollout scored ``m`` above the rejected side's mean, per delta."""
    deltas: list[tuple[str, Any]] = [
        ("constant", constant_delta()),
        ("graded (default: threshold 2, low 0.5, high 1)", graded_delta()),
        ("graded(threshold=1.5, low=0.25, high=1.0)", graded_delta(threshold=1.5, low=0.25, high=1.0)),
    ]
    margins = [i / 100 for i in range(-300, 601)]
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=100)
    for offset, (label, delta) in enumerate(deltas):
        # rejected side: one rollout scored 3.0; the chosen rollout scores 3.0 + margin
        rewards = [par_rewards([3.0 + m], [3.0], delta=delta)[0][0] for m in margins]
        ax.plot(margins, [r + 0.015 * offset for r in rewards], label=label, linewidth=2)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("margin: rollout score minus the partner side's mean score")
    ax.set_ylabel("PAR reward")
    ax.set_ylim(-0.1, 1.15)
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=8)
    ax.set_title("PAR reward against margin (a margin of 0 or less earns 0)")
    fig.tight_layout()
    fig.savefig(out, format="svg")
    plt.close(fig)


def _box(ax: Any, x: float, y: float, w: float, h: float, text: str, color: str) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", facecolor=color, edgecolor="#333"))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.5)


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float], text: str = "") -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#333", "lw": 1.2})
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, text, ha="center", fontsize=7.5)


def rendezvous_figure(out: IO[bytes]) -> None:
    """Two reward workers score the two sides of one pair; the rendezvous joins them."""
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=100)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    ax.axis("off")
    _box(ax, 0.2, 3.4, 2.4, 1.0, "reward worker A\nchosen side of pair p\n(n rollout scores)", "#dbe9ff")
    _box(ax, 0.2, 0.6, 2.4, 1.0, "reward worker B\nrejected side of pair p\n(n rollout scores)", "#ffe3d6")
    middle = "PairRendezvous\nkey (data_source, pair_id)\neach rollout waits for\nthe 2n scores of its pair"
    _box(ax, 3.8, 1.7, 2.6, 1.6, middle, "#eeeeee")
    _box(ax, 7.4, 3.4, 2.4, 1.0, "A: chosen rewards\nPAR vs mean(rejected)\n+ format reward", "#dbe9ff")
    _box(ax, 7.4, 0.6, 2.4, 1.0, "B: rejected rewards\nPAR vs mean(chosen)\n+ format reward", "#ffe3d6")
    _arrow(ax, (2.6, 3.9), (3.8, 2.9), "submit")
    _arrow(ax, (2.6, 1.1), (3.8, 2.1), "submit")
    _arrow(ax, (6.4, 2.9), (7.4, 3.9), "total_rewards")
    _arrow(ax, (6.4, 2.1), (7.4, 1.1), "total_rewards")
    ax.text(
        5.1,
        0.35,
        "partner missing after timeout_s: fallback reward (format only, PAR 0), counted and logged",
        ha="center",
        fontsize=8,
        style="italic",
    )
    ax.set_title("The rendezvous: both sides of a pair meet before either is rewarded", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, format="svg")
    plt.close(fig)


def demo_curves_figure(out: IO[bytes]) -> bool:
    """Batch pair accuracy over GRPO steps for each recorded demo run; False when none is recorded."""
    runs = sorted(RESULTS.glob("demo_*.json"))
    if not runs:
        return False
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    for path in runs:
        run = json.loads(path.read_text(encoding="utf-8"))
        steps = [h["step"] for h in run["history"]]
        acc = [h.get("par/pair_accuracy", float("nan")) for h in run["history"]]
        window = 5  # a running mean over logged points: one batch holds few pairs
        spans = [acc[max(0, i - window + 1) : i + 1] for i in range(len(acc))]
        smooth = [sum(span) / len(span) for span in spans]
        cfg = run["config"]
        label = (
            f"delta {cfg['delta']}, label noise {cfg['label_noise']:.0%}: "
            f"held-out {run['accuracy_before']:.2f} -> {run['accuracy_after']:.2f}"
        )
        ax.plot(steps, smooth, label=label)
    ax.set_xlabel("GRPO step")
    ax.set_ylabel(f"batch pair accuracy (running mean of {window})")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("patarm demo: pair accuracy while training with PAR")
    fig.tight_layout()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return True


FIGURES: dict[str, Callable[[IO[bytes]], object]] = {
    "par_delta.svg": par_delta_figure,
    "rendezvous.svg": rendezvous_figure,
    "demo_curves.svg": demo_curves_figure,
}
DEMO_MARKER = "<!-- demo-runs:"
TRAINING_MARKER = "<!-- demo-training:"
TRAINING_RUN = RESULTS / "demo_constant.json"  # the demo's defaults


def demo_training_png() -> bytes | None:
    """The plot ``patarm demo`` writes (``training.png``), redrawn from the recorded default run."""
    if not TRAINING_RUN.is_file():
        return None
    import tempfile

    from patarm.demo.plots import plot_history  # the demo's own plot, so the figure is the one users get

    run = json.loads(TRAINING_RUN.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        path = plot_history(
            run["history"], Path(scratch) / "training.png", before=run["accuracy_before"], after=run["accuracy_after"]
        )
        return path.read_bytes()


def demo_training_markdown() -> str:
    if not TRAINING_RUN.is_file():
        return "*(No run is recorded yet: `patarm demo --output DIR` writes this plot to `DIR/training.png`.)*\n"
    return (
        "![The demo's training curves](figures/demo_training.png)\n\n"
        "*`training.png` of the recorded default run (`docs/results/demo_constant.json`, see [Results](results.md)).*\n"
    )


def replace_markers(page: str, replacements: dict[str, Callable[[], str]]) -> str:
    """The page with each marker line replaced by its generated Markdown."""
    out = []
    for line in page.splitlines():
        maker = next((make for marker, make in replacements.items() if line.startswith(marker)), None)
        out.append(maker() if maker else line)
    return "\n".join(out) + "\n"


def demo_runs_markdown() -> str:
    """The Results page's table of recorded demo runs, and their figure."""
    runs = sorted(RESULTS.glob("demo_*.json"))
    if not runs:
        return "No demo run is recorded yet: run the commands above.\n"
    rows = [
        "| run | delta | label noise | steps | held-out accuracy before -> after | format-valid after | minutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in runs:
        run = json.loads(path.read_text(encoding="utf-8"))
        cfg = run["config"]
        rows.append(
            f"| `{path.stem.removeprefix('demo_')}` | {cfg['delta']} | {cfg['label_noise']:.0%} | {cfg['steps']} | "
            f"{run['accuracy_before']:.3f} -> **{run['accuracy_after']:.3f}** | {run['format_valid_after']:.3f} | "
            f"{run['minutes']:.1f} |"
        )
    figure = "![Demo pair accuracy over GRPO steps](figures/demo_curves.svg)"
    return "\n".join(rows) + "\n\n" + figure + "\n"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for the SVG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in FIGURES.items():
        with open(args.out / name, "wb") as fd:
            draw(fd)
        print(args.out / name)
    training = demo_training_png()
    if training is not None:
        (args.out / "demo_training.png").write_bytes(training)
        print(args.out / "demo_training.png")


if __name__ == "__main__":
    main()
else:  # run by mkdocs-gen-files
    import mkdocs_gen_files

    for name, draw in FIGURES.items():
        with mkdocs_gen_files.open(f"figures/{name}", "wb") as fd:
            draw(fd)
    training = demo_training_png()
    if training is not None:
        with mkdocs_gen_files.open("figures/demo_training.png", "wb") as fd:
            fd.write(training)
    for page, replacements in {
        "results.md": {DEMO_MARKER: demo_runs_markdown},
        "get-started.md": {TRAINING_MARKER: demo_training_markdown},
    }.items():
        with mkdocs_gen_files.open(page, "r") as fd:
            text = fd.read()
        with mkdocs_gen_files.open(page, "w") as fd:
            fd.write(replace_markers(text, replacements))
