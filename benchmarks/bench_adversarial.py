"""Text handling on adversarial input: time against size, to show every path is linear.

Times ``escape_tags``, ``HeuristicRouter.route``, ``parse_judgment`` and the pair loader
(``load_pairs`` on one row whose prompt and responses hold the text) on texts of 10 KB,
100 KB, 1 MB and 10 MB of three kinds:

- ``benign``: judge-like prose with a few tags;
- ``runs``: the inputs that were quadratic (``<`` then one long run of spaces; runs of
  newlines; many unmatched ``</think>``; whitespace runs in the loader's fields);
- ``dense``: a tag or tag fragment every few characters, with look-alikes (full-width
  brackets, zero-width spaces) and non-ASCII digits, so every position starts a match.

For each function and kind it prints the time per size (best of ``--repeats``), the ratio
10 MB / 1 MB (10 means linear; a quadratic path gives 100) with, in brackets, the same ratio
for a baseline measured in the same run: one ``str.lower()`` over the same text, a single C
pass. A baseline ratio above 10 is the memory hierarchy (1 MB of text stays in cache, 10 MB
does not), not the algorithm. The last column is the 1 MB time over the baseline's.

    python benchmarks/bench_adversarial.py [--sizes 10000,100000,1000000,10000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from patarm.data import load_pairs
from patarm.parsing import escape_tags, parse_judgment
from patarm.rubrics import HeuristicRouter

PROSE = (
    "The response answers the question and explains each step. However, the second step "
    "misses an edge case; the result is still correct for the examples the user gave. "
)
BENIGN = PROSE * 6 + "<think>checking the edge case</think><criteria>Correct, complete.</criteria><answer>7</answer>\n"


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix) - len(suffix)) // len(unit)) + suffix


# function -> kind -> text of a given size
INPUTS: dict[str, dict[str, Callable[[int], str]]] = {
    "escape_tags": {
        "benign": lambda n: _fill(BENIGN, n),
        "runs": lambda n: _fill(" ", n, prefix="<"),
        "dense": lambda n: _fill("< /\u200banswer\uff1e<\uff1cthink <\uff41<<answer>x", n),
    },
    "router": {
        "benign": lambda n: _fill(BENIGN, n),
        "runs": lambda n: _fill("\n", n),
        "dense": lambda n: _fill("\n \n1 $;\r\nat least a ", n),
    },
    "parse_judgment": {
        "benign": lambda n: _fill(PROSE, n, prefix="<think>", suffix="</think><answer>7</answer>"),
        "runs": lambda n: _fill("</think>", n, suffix="<answer>7</answer>"),
        "dense": lambda n: _fill("<answer>\u0667</answer><think></think>", n),
    },
    "loader": {
        "benign": lambda n: _fill(PROSE, n),
        "runs": lambda n: _fill(" \n\t", n, suffix="x"),
        "dense": lambda n: _fill("<answer>\u200b \uff1c", n),
    },
}

_ROUTER = HeuristicRouter()
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "escape_tags": escape_tags,
    "router": _ROUTER.route,
    "parse_judgment": parse_judgment,
    "loader": lambda t: load_pairs([{"prompt": t, "chosen": t + "a", "rejected": t + "b"}]),
}


def best_of(fn: Callable[[str], object], text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return min(times)


def _size(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n // 1000} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000", help="text sizes in characters")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    per_mb = 1_000_000 if 1_000_000 in sizes else sizes[-1]
    ratio_of = (1_000_000, 10_000_000) if {1_000_000, 10_000_000} <= set(sizes) else (sizes[-2], sizes[-1])
    head = "".join(f"{_size(n):>10}" for n in sizes)
    ratio_name = f"ratio {_size(ratio_of[1])}/{_size(ratio_of[0])}"
    print(f"{'function':<15}{'input':<8}{head}   {ratio_name} (baseline)   x baseline at {_size(per_mb)}")
    worst_ratio, worst_mb = 0.0, 0.0
    for name, fn in FUNCTIONS.items():
        for make in INPUTS[name].values():
            fn(make(1000))  # warm up: patterns are compiled and tables built on first use
        for kind, make in INPUTS[name].items():
            times, baseline = {}, {}
            for n in sizes:
                text = make(n)
                times[n] = best_of(fn, text, args.repeats)
                if n in (per_mb, *ratio_of):
                    baseline[n] = best_of(str.lower, text, args.repeats)
            ratio = times[ratio_of[1]] / times[ratio_of[0]]
            baseline_ratio = baseline[ratio_of[1]] / baseline[ratio_of[0]]
            worst_ratio, worst_mb = max(worst_ratio, ratio), max(worst_mb, times[per_mb])
            cells = "".join(f"{times[n] * 1000:>8.1f}ms" for n in sizes)
            line = f"{name:<15}{kind:<8}{cells}   {ratio:>10.1f} ({baseline_ratio:.1f})"
            print(f"{line}   {times[per_mb] / baseline[per_mb]:>10.0f}x")
    print(f"worst ratio {_size(ratio_of[1])}/{_size(ratio_of[0])}: {worst_ratio:.1f} (10 = linear)")
    print(f"slowest at {_size(per_mb)}: {worst_mb * 1000:.1f} ms")


if __name__ == "__main__":
    main()
