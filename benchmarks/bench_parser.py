"""Parser throughput on realistic judge outputs (1-3 KB: think block, criteria, rationale,
final tag; a few malformed), on one core.

    python benchmarks/bench_parser.py [--outputs 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from patarm.parsing import parse_judgment

WORDS = [
    "the",
    "response",
    "answers",
    "question",
    "correct",
    "step",
    "result",
    "clearly",
    "code",
    "function",
    "returns",
    "value",
    "because",
    "however",
    "missing",
    "detail",
    "structure",
    "relevant",
    "accurate",
    "logic",
    "proof",
    "edge",
    "case",
    "user",
    "asked",
    "format",
    "constraint",
    "safety",
    "refusal",
    "helpful",
    "concise",
    "example",
    "error",
    "output",
    "expected",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(sentence(rng, rng.randint(6, 18)))
    return " ".join(parts)


def judge_output(rng: random.Random) -> str:
    target = rng.randint(1000, 3000)
    score = rng.randint(1, 10)
    thinking = paragraph(rng, int(target * 0.55))
    if rng.random() < 0.2:  # a score considered and discarded while thinking
        thinking += f" Maybe <answer>{rng.randint(1, 10)}</answer>? No, let me check again."
    criteria = "\n".join(f"{i + 1}. {sentence(rng, rng.randint(5, 10))}" for i in range(rng.randint(2, 4)))
    rationale = paragraph(rng, int(target * 0.3))
    final = f"<answer>{score}</answer>"
    roll = rng.random()
    if roll < 0.02:
        final = ""  # truncated before the tag
    elif roll < 0.03:
        final = "<answer>11</answer>"
    return (
        f"<think>\n{thinking}\n</think>\n<criteria>\n{criteria}\n</criteria>\n"
        f"<rationale>\n{rationale}\n</rationale>\n{final}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = [judge_output(rng) for _ in range(args.outputs)]
    sizes = sorted(len(t) for t in texts)
    start = time.perf_counter()
    judgments = [parse_judgment(t) for t in texts]
    elapsed = time.perf_counter() - start
    reasons = Counter(j.malformed_reason.value if j.malformed_reason else "ok" for j in judgments)
    print(f"{len(texts):,} outputs, {sizes[0]}-{sizes[-1]} chars (median {sizes[len(sizes) // 2]}), one process")
    print(f"parsed in {elapsed:.2f} s: {len(texts) / elapsed:,.0f} outputs/s, {elapsed / len(texts) * 1e6:.1f} us each")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in reasons.most_common()))


if __name__ == "__main__":
    main()
