"""Cost of ranking N candidates for one prompt: judge calls, prompt tokens, generated tokens.

    python benchmarks/bench_best_of_n.py [--n 8] [--criteria-lines 4] [--rationale-words 120]

Three ways to rank N responses to one prompt with a generative judge:
- pointwise, inline criteria (the paper): N calls, each writes criteria + rationale + score;
- pointwise, cached criteria: 1 criteria call, then N calls that write rationale + score;
- pairwise, both orders, all pairs: N(N-1) calls, each reads two responses.

The judge here is simulated (a function that writes outputs of fixed section sizes), so the
CALL counts are exact properties of the method while token counts follow the section sizes
given on the command line; tokens are counted with the tiny test tokenizer (byte-level BPE).
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Sequence

from patarm.backends import ChatInput, Completion, SamplingParams, prompt_text
from patarm.judges import JudgeConfig, PairwiseItem, PairwiseJudge, PointwiseItem, PointwiseJudge
from patarm.testing import build_tiny_tokenizer

WORDS = ["the", "response", "is", "correct", "clear", "and", "complete", "but", "misses", "one", "edge"]
WORDS += ["case", "in", "the", "second", "step"]


class SimulatedJudge:
    """Writes judge outputs of fixed section sizes and counts tokens both ways."""

    def __init__(self, tokenizer: object, criteria_lines: int, rationale_words: int) -> None:
        self.tokenizer = tokenizer
        self.criteria_lines = criteria_lines
        self.rationale_words = rationale_words
        self.calls = 0
        self.prompt_tokens = 0

    def _count(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])  # type: ignore[operator]

    def _words(self, rng: random.Random, n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    def _output(self, prompt: str, rng: random.Random) -> str:
        criteria = "\n".join(self._words(rng, 12) for _ in range(self.criteria_lines))
        rationale = self._words(rng, self.rationale_words)
        if "You write evaluation criteria" in prompt:
            return f"<criteria>\n{criteria}\n</criteria>"
        head = f"<criteria>\n{criteria}\n</criteria>\n" if "Criteria specific to this prompt that" in prompt else ""
        if "<response_a>" in prompt:
            scores = "<score_a>7</score_a>\n<score_b>5</score_b>"
            return f"{head}<rationale>\n{rationale} {rationale}\n</rationale>\n{scores}"
        return f"{head}<rationale>\n{rationale}\n</rationale>\n<answer>7</answer>"

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        out = []
        for prompt in prompts:
            text = prompt_text(prompt)
            self.calls += params.n
            self.prompt_tokens += params.n * self._count(text)
            rng = random.Random(len(text))
            samples = []
            for _ in range(params.n):
                output = self._output(text, rng)
                samples.append(Completion(text=output, num_tokens=self._count(output), finish_reason="stop"))
            out.append(samples)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=8, help="candidates for the prompt")
    parser.add_argument("--criteria-lines", type=int, default=4, help="generated criteria lines per output")
    parser.add_argument("--rationale-words", type=int, default=120, help="rationale words per response judged")
    args = parser.parse_args()
    tokenizer = build_tiny_tokenizer()
    prompt = "Write a short poem about the sea that mentions a lighthouse and ends with a question."
    rng = random.Random(0)
    candidates = [" ".join(rng.choice(WORDS) for _ in range(60 + 10 * i)) for i in range(args.n)]

    rows = []
    for label, mode in (("pointwise, inline criteria", "inline"), ("pointwise, cached criteria", "cached")):
        backend = SimulatedJudge(tokenizer, args.criteria_lines, args.rationale_words)
        judge = PointwiseJudge(backend, JudgeConfig(criteria_mode=mode))  # type: ignore[arg-type]
        results = judge.judge_many([PointwiseItem(prompt, c, "chat") for c in candidates])
        criteria_tokens = judge.criteria.generated_tokens if judge.criteria else 0
        generated = sum(r.generated_tokens or 0 for r in results) + criteria_tokens
        rows.append((label, backend.calls, backend.prompt_tokens, generated))
    backend = SimulatedJudge(tokenizer, args.criteria_lines, args.rationale_words)
    pairwise = PairwiseJudge(backend, JudgeConfig())
    pairs = [PairwiseItem(prompt, a, b, "chat") for a, b in itertools.combinations(candidates, 2)]
    results = pairwise.judge_many(pairs)
    rows.append(("pairwise, both orders, all pairs", backend.calls, backend.prompt_tokens,
                 sum(r.generated_tokens or 0 for r in results)))  # fmt: skip

    print(f"ranking N = {args.n} candidates of one prompt (simulated judge, see --help)")
    print(f"{'mode':<34}{'judge calls':>12}{'prompt tokens':>15}{'generated tokens':>18}")
    for label, calls, prompt_tokens, generated in rows:
        print(f"{label:<34}{calls:>12}{prompt_tokens:>15,}{generated:>18,}")


if __name__ == "__main__":
    main()
