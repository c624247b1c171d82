"""Regenerate the reward-hacking check of the demo (docs/how-to/hackcheck.md).

    python docs/figures/hackcheck/make_figures.py [--work hackcheck-work] [--out docs/figures/hackcheck]
        [--demo-dir patarm-demo] [--steps 60]

Runs ``patarm hackcheck --demo`` with the same starting policy, prompts, seed and gold (the
demo task's truth) against each of the demo's function judges: ``truth_judge`` (pays for the
truth), ``length_paying``, ``tag_reader`` and ``keyword_paying`` (each reads one feature instead
of the truth). When ``DEMO_DIR/final-model`` exists (``patarm demo``), it also checks the judge
trained with PAR there and its SFT-only starting point ``sft-model``. Training runs in WORK;
the reports (hackcheck.json, hackcheck.md, plots) are copied into OUT/<judge>/, and
OUT/compare.md with the plots of all judges side by side is written into OUT.

CI's demonstration (.ci/hackcheck_demo.py) runs the same checks through :func:`make_figures`.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patarm.cli import main as patarm
from patarm.hackcheck import compare_hackchecks, demo_start_policy, load_hackcheck
from patarm.hackcheck.plots import plot_report
from patarm.store import atomic_write

FUNCTIONS = ["truth_judge", "length_paying", "tag_reader", "keyword_paying"]
REPORT_FILES = ["hackcheck.json", "hackcheck.md", "reward_vs_gold.png", "features.png"]


def demo_judges(demo_dir: Path, *, sft_start: bool = True) -> dict[str, list[str]]:
    """The judges to check, by name, each as its ``patarm hackcheck`` judge options: the demo's
    function judges, then (when ``demo_dir/final-model`` exists) the SFT-only starting point
    (unless ``sft_start`` is False) and the judge trained with PAR."""
    judges = {fn: ["--backend", "python", "--model", f"patarm.hackcheck:{fn}"] for fn in FUNCTIONS}
    if (demo_dir / "final-model").exists():
        for folder in ("sft-model", "final-model") if sft_start else ("final-model",):
            judges[f"demo-{folder}"] = ["--backend", "transformers", "--model", str(demo_dir / folder), "-k", "4"]
    return judges


def check(name: str, judge: Sequence[str], work: Path, out: Path, steps: int) -> None:
    run = work / name
    policy = demo_start_policy(work / "start-policy", seed=0)  # every judge starts from the same policy
    args = ["hackcheck", "--demo", *judge, "--policy", str(policy), "--steps", str(steps), "--no-progress"]
    args += ["-o", str(run)]
    started = time.monotonic()
    if patarm(args) != 0:
        raise SystemExit(f"hackcheck of {name} failed")
    print(f"checked {name}: {steps} steps in {time.monotonic() - started:.0f} s", flush=True)
    (out / name).mkdir(parents=True, exist_ok=True)
    for filename in REPORT_FILES:
        shutil.copyfile(run / filename, out / name / filename)


def make_figures(
    judges: Mapping[str, Sequence[str]], work: Path, out: Path, steps: int
) -> list[tuple[str, dict[str, Any]]]:
    """Check each judge (see :func:`demo_judges`), then write OUT/compare.md and the plots of all
    of them side by side; returns each judge's name and report."""
    for name, judge in judges.items():
        check(name, judge, work, out, steps)
    reports = [(name, load_hackcheck(out / name)) for name in judges]
    with atomic_write(out / "compare.md") as f:
        f.write(compare_hackchecks([r for _, r in reports], list(judges)))
    plot_report(reports, out)
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="hackcheck-work")
    parser.add_argument("--out", default=str(Path(__file__).parent))
    parser.add_argument("--demo-dir", default="patarm-demo")
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    out = Path(args.out)
    make_figures(demo_judges(Path(args.demo_dir)), Path(args.work), out, args.steps)
    print((out / "compare.md").read_text(), end="")


if __name__ == "__main__":
    main()
