"""Mutation testing of the pure core with mutmut, and the per-module score it must keep.

The modules mutated and the tests run against them are set in ``[tool.mutmut]`` of
pyproject.toml. This script runs mutmut, reads its results (``mutants/**/*.meta``), leaves
out the equivalent mutants listed in ``tools/mutation_equivalent.txt`` (one name and a
one-line reason a line) and prints, per module: mutants, killed, equivalent, score
(killed / non-equivalent). It fails when a score is below ``--threshold``.

    python tools/mutation.py                      # every mutant (about 6 minutes on 2 cores)
    python tools/mutation.py --sample 120 --seed 0  # a seeded sample (CI): the overall score

Run it in an environment with mutmut and the package installed editable
(``pip install -e . pytest hypothesis "mutmut>=3.8,<4"``), from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["load_equivalent", "load_results", "main", "module_table"]

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
KILLED_CODES = {1, 3, 24, -24, 36, 152, 255, 37, -9, -11}  # mutmut: killed, timeout, type check, crash
UNCHECKED_CODES = {None, 2, 34}  # not run (outside a sample), interrupted, skipped
SEED_PATTERN = "patarm.voting.x__well_formed__mutmut_1"  # one fast mutant: the first run generates all


def load_results(root: Path = ROOT) -> dict[str, int | None]:
    """Every mutant's exit code from mutmut's ``.meta`` files (None: not run)."""
    results: dict[str, int | None] = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        results.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return results


def load_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """``name -> reason`` from the equivalent-mutant list; a line without a reason is an error."""
    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path}:{number}: {name}: give a one-line reason why the mutant is equivalent")
        out[name] = reason.strip()
    return out


def module_of(mutant: str) -> str:
    return mutant.rsplit(".", 1)[0]


def module_table(
    results: dict[str, int | None], equivalent: dict[str, str]
) -> tuple[dict[str, Counter[str]], list[str]]:
    """Per module: mutants (checked), killed, equivalent; and the surviving names."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    survivors = []
    for name, code in sorted(results.items()):
        if code in UNCHECKED_CODES:
            continue
        row = table[module_of(name)]
        row["mutants"] += 1
        if code in KILLED_CODES:
            row["killed"] += 1
        elif name in equivalent:
            row["equivalent"] += 1
        else:
            survivors.append(name)
    return table, survivors


def score(row: Counter[str]) -> float:
    live = row["mutants"] - row["equivalent"]
    return row["killed"] / live if live else 1.0


def print_table(table: dict[str, Counter[str]]) -> None:
    print(f"{'module':<34}{'mutants':>8}{'killed':>8}{'equiv':>7}{'score':>8}")
    total: Counter[str] = Counter()
    for module, row in sorted(table.items()):
        total.update(row)
        print(f"{module:<34}{row['mutants']:>8}{row['killed']:>8}{row['equivalent']:>7}{score(row):>8.1%}")
    print(f"{'all':<34}{total['mutants']:>8}{total['killed']:>8}{total['equivalent']:>7}{score(total):>8.1%}")


def mutmut(*args: str) -> None:
    exe = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "mutation")}
    done = subprocess.run([str(exe), "run", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mutmut run failed (exit {done.returncode}); run `mutmut run` to see why")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0, help="run this many mutants, drawn with --seed (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.95, help="least score (per module for a full run)")
    parser.add_argument("--report", action="store_true", help="only print the table of the last run")
    args = parser.parse_args(argv)
    equivalent = load_equivalent()
    if not args.report:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # no result of an older source survives
        if args.sample:
            mutmut(SEED_PATTERN)
            names = sorted(load_results())
            chosen = random.Random(args.seed).sample(names, min(args.sample, len(names)))
            mutmut(*sorted(chosen))
            results = {name: code for name, code in load_results().items() if name in set(chosen)}
        else:
            mutmut()
            results = load_results()
    else:
        results = load_results()
    stale = sorted(set(equivalent) - set(results)) if not args.sample else []
    if stale:
        print(f"warning: {len(stale)} listed equivalent mutants no longer exist: {', '.join(stale[:5])}")
    killed_listed = sorted(name for name in equivalent if results.get(name) in KILLED_CODES)
    if killed_listed:  # a code change renumbered the mutants: the entry now names another one
        print(f"warning: {len(killed_listed)} listed equivalent mutants were killed: {', '.join(killed_listed[:5])}")
    table, survivors = module_table(results, equivalent)
    print_table(table)
    if survivors:
        print(f"\n{len(survivors)} surviving (see each with `mutmut show NAME`):")
        print("\n".join(f"  {name}" for name in survivors))
    rows = [Counter(sum(table.values(), Counter()))] if args.sample else list(table.values())
    failing = [row for row in rows if score(row) < args.threshold]
    if failing:
        print(f"\nFAIL: score below {args.threshold:.0%}", file=sys.stderr)
        return 1
    print(f"\nOK: every score >= {args.threshold:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
