"""OpenRLHF SFT launch smoke, on a CPU: examples/openrlhf/sft_qwen3_8b.sh run as far as a CPU allows.

1. the recipe run by bash on a tiny local model, 8 synthetic pairs and a scripted teacher (GPU checks
   of ``patarm doctor`` off, one process): ``patarm data build-sft --format openrlhf`` writes the
   rows, then the real ``torchrun -m openrlhf.cli.train_sft`` must stop where OpenRLHF's training
   stack begins: the module imports of ``openrlhf/models`` (peft, DeepSpeed, flash-attn: OpenRLHF's
   GPU pins, which this environment installs without, ``pip install --no-deps openrlhf``);
2. the recipe's flags through ``train_sft``'s own argument parser and post-parse checks
   (``patarm.testing.launch.openrlhf_args``), the paper's settings checked;
3. each row through OpenRLHF's own ``preprocess_data`` with the tiny tokenizer's chat template (the
   recipe's ``--data.apply_chat_template``): the response it trains on is the teacher's judgment.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

RECIPE = Path(__file__).parents[3] / "examples" / "openrlhf" / "sft_qwen3_8b.sh"
MODULE = "openrlhf.cli.train_sft"
BOUNDARY = re.compile(r"ModuleNotFoundError: No module named '(peft|deepspeed|flash_attn)'")
WHERE = "openrlhf/models/"
TEACHER = """import re
def judge(prompt, seed):
    text = re.search(r"<response>\\n(.*?)\\n</response>", prompt, re.DOTALL).group(1)
    return "<rationale>Scripted.</rationale><answer>%d</answer>" % (9 if text.startswith("good") else 3)
"""


def fail(message: str, output: str = "") -> None:
    print(output[-6000:])
    print(f"OpenRLHF SFT smoke FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> int:
    from openrlhf.datasets.sft_dataset import preprocess_data
    from transformers import AutoTokenizer

    from patarm.testing import save_tiny_model
    from patarm.testing.launch import openrlhf_args

    with tempfile.TemporaryDirectory(prefix="patarm-openrlhf-sft-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        pairs = [
            {"pair_id": f"p{i}", "prompt": f"What is {i} + {i}?", "chosen": f"good {2 * i}", "rejected": f"bad {i}"}
            for i in range(8)
        ]
        (work / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs))
        (work / "teacher.py").write_text(TEACHER)
        env = {
            **os.environ,
            "MODEL_PATH": str(model),
            "PAIRS": str(work / "pairs.jsonl"),
            "TEACHER_ARGS": f"--backend python --model {work / 'teacher.py'}:judge",
            "DATA_DIR": str(work / "data"),
            "OUTPUT_DIR": str(work / "out"),
            "GPUS_PER_NODE": "1",
            "DOCTOR_FLAGS": "--no-gpu",
            "OMP_NUM_THREADS": "1",
        }
        # 1. the recipe, for real
        run = subprocess.run(["bash", str(RECIPE)], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        output = run.stdout + run.stderr
        rows_file = work / "data" / "sft_openrlhf.jsonl"
        rows = [json.loads(line) for line in rows_file.read_text().splitlines()] if rows_file.exists() else []
        if len(rows) != 2 * len(pairs):
            fail(f"patarm data build-sft --format openrlhf wrote {len(rows)} rows, not {2 * len(pairs)}", output)
        if run.returncode == 0:
            fail("train_sft ran to the end on a CPU: the boundary moved", output)
        found = BOUNDARY.search(output)
        if found is None or WHERE not in output:
            fail(f"train_sft stopped before OpenRLHF's training stack ({BOUNDARY.pattern} in {WHERE} not seen)", output)
        print(f"train_sft: {len(rows)} rows built; stopped where OpenRLHF's training stack begins: {found.group(0)}")

        # 2. the flags through train_sft's own parser
        dry = subprocess.run(
            ["bash", str(RECIPE)], cwd=work, env={**env, "DRY_RUN": "1"}, capture_output=True, text=True, timeout=60
        )
        argv = next(shlex.split(line[2:]) for line in dry.stdout.splitlines() if MODULE in line)
        args = openrlhf_args(argv[argv.index(MODULE) + 1 :], module=MODULE)
        if (args.adam.lr, args.min_lr_ratio, args.train.batch_size, args.train.max_epochs) != (1.5e-6, 0.1, 512, 1):
            fail(f"the flags parse to lr {args.adam.lr} x{args.min_lr_ratio}, batch {args.train.batch_size}")
        print(f"train_sft flags: parsed by OpenRLHF (lr {args.adam.lr:g} {args.lr_scheduler}, batch 512, ZeRO-3)")

        # 3. the rows through OpenRLHF's own preprocessing, with the chat template
        tokenizer = AutoTokenizer.from_pretrained(model)
        for row in rows:
            prompt, response = preprocess_data(
                row, None, args.data.input_key, args.data.output_key, tokenizer.apply_chat_template
            )
            target = row["completion"][0]["content"]
            if not response.startswith(target) or "<response>" not in prompt:
                fail(f"OpenRLHF's preprocess_data split a row into {prompt[-60:]!r} / {response!r}")
        print(f"train_sft data: {len(rows)} rows through OpenRLHF's preprocess_data, the response is the judgment")
    print("OpenRLHF SFT launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
