"""Parser throughput against the parser of commit 9224e7a (before the parser's hardening), in
one run, on the same benign 1-3 KB judge outputs (those of ``bench_parser.py``).

The old parser is read from git at run time (``git show 9224e7a:src/patarm/parsing.py`` and
the project modules it imported then) into a temporary package, and imported under another
name; the script says so and exits 0 when git or the commit is not available. Both parsers
must give the same judgments on every output (checked first). The two are timed in turns on
small chunks of the outputs (the order swapped each chunk), by this thread's CPU time
(``time.thread_time``), so time the machine gives to other work is not counted and what load
remains (shared caches) falls on both alike; each repetition gives one ratio, new / old
outputs per second, and the script prints every ratio, their median and their range.

    python benchmarks/bench_parser_vs_9224e7a.py [--outputs 20000] [--repeats 7] [--chunk 500] [--seed 0]
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bench_parser import judge_output

from patarm.parsing import parse_judgment

COMMIT = "9224e7a"
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "patarm_at_9224e7a"
_IMPORT = re.compile(r"^(\s*)(from|import) patarm((?:\.\w+)*)\b", re.MULTILINE)


def _git_show(path: str) -> str | None:
    """The text of ``path`` at :data:`COMMIT`, or None when git or the commit is unavailable."""
    git = shutil.which("git")
    if git is None:
        return None
    done = subprocess.run(
        [git, "-C", str(ROOT), "show", f"{COMMIT}:{path}"], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def load_old_parser(into: Path) -> ModuleType | None:
    """Write the old ``parsing.py`` and the ``patarm`` modules it imports (transitively) into
    the package :data:`PACKAGE` under ``into``, imports rewritten to it; import and return it."""
    package = into / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    pending, done = ["parsing"], set()
    while pending:
        module = pending.pop()
        if module in done:
            continue
        done.add(module)
        source = _git_show(f"src/patarm/{module.replace('.', '/')}.py")
        if source is None:
            return None
        for match in _IMPORT.finditer(source):
            if match.group(3):
                pending.append(match.group(3).lstrip("."))
        (package / f"{module}.py").write_text(_IMPORT.sub(rf"\1\2 {PACKAGE}\3", source), encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{PACKAGE}.parsing")


def _same(new: object, old: object) -> bool:
    """Whether two judgments hold the same values (their classes differ: the old one is the
    old package's ``Judgment``)."""
    fields = ("score", "criteria", "rationale", "thinking", "raw")
    reasons = (getattr(new, "malformed_reason", None), getattr(old, "malformed_reason", None))
    values = [None if r is None else r.value for r in reasons]
    return values[0] == values[1] and all(getattr(new, f) == getattr(old, f) for f in fields)


def _timed(parse: Callable[[str], object], texts: list[str]) -> float:
    """CPU seconds of this thread to parse ``texts`` once."""
    start = time.thread_time()
    for text in texts:
        parse(text)
    return time.thread_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outputs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=500, help="outputs timed in one turn")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old_parser(Path(tmp))
        if old is None:
            print(f"skipped: git or commit {COMMIT} is not available (run from a git checkout with its history)")
            return 0
        rng = random.Random(args.seed)
        texts = [judge_output(rng) for _ in range(args.outputs)]
        differ = sum(not _same(parse_judgment(t), old.parse_judgment(t)) for t in texts)
        if differ:
            print(f"FAIL: the two parsers differ on {differ} of {len(texts)} outputs")
            return 1
        sizes = sorted(len(t) for t in texts)
        print(f"{len(texts):,} benign outputs, {sizes[0]}-{sizes[-1]} chars; the same judgments from both parsers")
        chunks = [texts[i : i + args.chunk] for i in range(0, len(texts), args.chunk)]
        ratios = []
        for repeat in range(args.repeats):
            spent = {"new": 0.0, "old": 0.0}
            for number, chunk in enumerate(chunks):
                turns = [("new", parse_judgment), ("old", old.parse_judgment)]
                for name, parse in turns if (number + repeat) % 2 else turns[::-1]:
                    spent[name] += _timed(parse, chunk)
            rate = {name: len(texts) / seconds for name, seconds in spent.items()}
            ratios.append(rate["new"] / rate["old"])
            print(
                f"repeat {repeat + 1}: new {rate['new']:,.0f}/s, {COMMIT} {rate['old']:,.0f}/s, ratio {ratios[-1]:.3f}"
            )
        print(
            f"ratio new/{COMMIT} outputs per second: median {statistics.median(ratios):.3f} "
            f"(range {min(ratios):.3f}-{max(ratios):.3f}, {len(ratios)} repeats)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
