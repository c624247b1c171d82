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
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from patarm.cli import main as patarm
from patarm.hackcheck import compare_hackchecks, demo_start_policy, load_hackcheck
from patarm.hackcheck.plots import plot_report
from patarm.store import atomic_write

FUNCTIONS = ["truth_judge", "length_paying", "tag_reader", "keyword_paying"]
REPORT_FILES = ["hackcheck.json", "hackcheck.md", "reward_vs_gold.png", "features.png"]


def check(name: str, judge: list[str], work: Path, out: Path, steps: int) -> None:
    run = work / name
    policy = demo_start_policy(work / "start-policy", seed=0)  # every judge starts from the same policy
    args = ["hackcheck", "--demo", *judge, "--policy", str(policy), "--steps", str(steps), "--quiet", "-o", str(run)]
    if patarm(args) != 0:
        raise SystemExit(f"hackcheck of {name} failed")
    (out / name).mkdir(parents=True, exist_ok=True)
    for filename in REPORT_FILES:
        shutil.copyfile(run / filename, out / name / filename)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="hackcheck-work")
    parser.add_argument("--out", default=str(Path(__file__).parent))
    parser.add_argument("--demo-dir", default="patarm-demo")
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    work, out, demo = Path(args.work), Path(args.out), Path(args.demo_dir)
    names = []
    for fn in FUNCTIONS:
        check(fn, ["--backend", "python", "--model", f"patarm.hackcheck:{fn}"], work, out, args.steps)
        names.append(fn)
    if (demo / "final-model").exists():
        for folder in ("sft-model", "final-model"):
            name = f"demo-{folder}"
            check(name, ["--backend", "transformers", "--model", str(demo / folder), "-k", "4"], work, out, args.steps)
            names.append(name)
    reports = [load_hackcheck(out / name) for name in names]
    with atomic_write(out / "compare.md") as f:
        f.write(compare_hackchecks(reports, names))
    plot_report(list(zip(names, reports, strict=True)), out)
    print((out / "compare.md").read_text(), end="")


if __name__ == "__main__":
    main()
