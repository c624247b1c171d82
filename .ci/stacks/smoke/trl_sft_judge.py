"""TRL SFT launch smoke, on a CPU: the SFT stage end to end at tiny scale.

1. ``patarm data build-sft --format trl`` on 8 synthetic pairs with a scripted teacher;
2. ``examples/trl/sft_judge.py --tiny --data`` those rows: TRL's ``SFTTrainer`` trains 2 steps of
   the tiny model on the CPU (a CPU runs all of TRL's SFT path) and saves model and tokenizer;
3. the saved model loads, ready for ``examples/trl/train_judge.py --model``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from launch_checks import report_failure, sft_pairs

RECIPE = Path(__file__).parents[3] / "examples" / "trl" / "sft_judge.py"


def fail(message: str, output: str = "") -> int:
    report_failure("TRL SFT", message, output)
    return 1


def main() -> int:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    with tempfile.TemporaryDirectory(prefix="patarm-trl-sft-smoke-") as scratch:
        work = Path(scratch)
        pairs = sft_pairs(work)
        build = subprocess.run(
            ["patarm", "data", "build-sft", "-i", "pairs.jsonl", "-o", "sft.jsonl", "--format", "trl", "--no-progress",
             "--backend", "python", "--model", f"{work / 'teacher.py'}:judge"],
            cwd=work, capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        rows = (work / "sft.jsonl").read_text().splitlines() if (work / "sft.jsonl").exists() else []
        if build.returncode != 0 or len(rows) != 2 * len(pairs):
            return fail(f"patarm data build-sft --format trl wrote {len(rows)} rows", build.stdout + build.stderr)
        print(f"patarm data build-sft --format trl: {len(rows)} rows")
        out = subprocess.run(
            [sys.executable, str(RECIPE), "--tiny", "--data", "sft.jsonl", "--output", "judge-sft"],
            cwd=work, capture_output=True, text=True, timeout=600, env=env,
        )  # fmt: skip
        done = [line for line in out.stdout.splitlines() if line.startswith("done: 2 steps")]
        if out.returncode != 0 or not done:
            return fail("sft_judge.py --tiny did not train its 2 steps", out.stdout + out.stderr)
        print(f"sft_judge.py --tiny: {done[0]}")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        AutoModelForCausalLM.from_pretrained(work / "judge-sft")
        AutoTokenizer.from_pretrained(work / "judge-sft")
        print("the SFT checkpoint loads (model and tokenizer)")
    print("TRL SFT launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
