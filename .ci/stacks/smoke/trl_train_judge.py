"""TRL launch smoke, on a CPU: README's TRL recipe ``examples/trl/train_judge.py --tiny`` trains
two GRPO steps with PAR end to end (a CPU runs all of TRL's path; only vLLM generation is GPU-only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RECIPE = Path(__file__).parents[3] / "examples" / "trl" / "train_judge.py"


def main() -> int:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run([sys.executable, str(RECIPE), "--tiny"], capture_output=True, text=True, timeout=600, env=env)
    done = [line for line in out.stdout.splitlines() if line.startswith("done: 2 steps")]
    if out.returncode != 0 or not done:
        print(out.stdout[-3000:], out.stderr[-6000:])
        print("TRL smoke FAILED: train_judge.py --tiny did not train its 2 steps", file=sys.stderr)
        return 1
    print(f"train_judge.py --tiny: {done[0]}")
    print("TRL launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
