"""Credential redaction (``patarm._secrets.redact``) on adversarial text: time against size, to show
it is linear on whatever a client or server sends.

Kinds of text, each at 10 KB, 100 KB and 1 MB (``--sizes``):

- ``log``: access-log lines with a masked key, a bearer header and a URL with a password;
- ``anchors``: an anchor at every few characters (``=``, ``:``, ``://``, ``bearer``, ``basic``);
- ``names``: long runs of name characters before a separator (``aaaa...=``), the input that makes
  a ``[name]+=`` regex quadratic;
- ``authority``: ``://`` then a long authority with ``@`` and ``:`` everywhere.

For each kind it prints the time per size (best of ``--repeats``) and the ratio of the two largest
sizes (10 means linear; a quadratic path gives 100), with, in brackets, the same ratio for a
baseline measured in the same run: one ``str.lower()`` over the same text.

    python benchmarks/bench_redact.py [--sizes 10000,100000,1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from patarm._secrets import redact

LOG = (
    '127.0.0.1:5000 - "POST /get_reward?api_key=k%2Dy&x=1 HTTP/1.1" 200\n'
    "POST http://user:pa55@judge:8000/v1/chat/completions: HTTP 503; Authorization: Bearer sk-1\n"
)
KINDS: dict[str, Callable[[int], str]] = {
    "log": lambda n: LOG * max(1, n // len(LOG)),
    "anchors": lambda n: "a=b:c://d bearer e basic F1 " * max(1, n // 28),
    "names": lambda n: ("a" * 999 + "=") * max(1, n // 1000),
    "authority": lambda n: "http://" + "u:p@" * max(1, n // 4),
}


def best(fn: Callable[[str], object], text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'kind':<10}" + "".join(f"{s:>12,}" for s in sizes) + "   ratio (10 = linear) [baseline]")
    for kind, make in KINDS.items():
        texts = [make(size) for size in sizes]
        ours = [best(redact, t, args.repeats) for t in texts]
        base = [best(str.lower, t, args.repeats) for t in texts]
        ratio = ours[-1] / max(ours[-2], 1e-9) if len(sizes) > 1 else 1.0
        base_ratio = base[-1] / max(base[-2], 1e-9) if len(sizes) > 1 else 1.0
        cells = "".join(f"{t * 1000:>10.2f}ms" for t in ours)
        print(f"{kind:<10}{cells}   {ratio:6.1f} [{base_ratio:.1f}]")
    print("(10 = linear)")


if __name__ == "__main__":
    main()
