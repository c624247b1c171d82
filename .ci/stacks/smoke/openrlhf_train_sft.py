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
import re
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from launch_checks import dry_run_argv, sft_pairs, sft_recipe_env
from launch_checks import fail as smoke_fail

RECIPE = Path(__file__).parents[3] / "examples" / "openrlhf" / "sft_qwen3_8b.sh"
MODULE = "openrlhf.cli.train_sft"
BOUNDARY = re.compile(r"ModuleNotFoundError: No module named '(peft|deepspeed|flash_attn)'")
WHERE = "openrlhf/models/"


SMOKE = "OpenRLHF SFT"
fail = partial(smoke_fail, SMOKE)


def main() -> int:
    from openrlhf.datasets.sft_dataset import preprocess_data
    from transformers import AutoTokenizer

    from patarm.testing import save_tiny_model
    from patarm.testing.launch import openrlhf_args

    with tempfile.TemporaryDirectory(prefix="patarm-openrlhf-sft-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        pairs = sft_pairs(work)
        env = sft_recipe_env(work, model, OUTPUT_DIR=str(work / "out"))
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
        args = openrlhf_args(dry_run_argv(SMOKE, RECIPE, work, env, MODULE), module=MODULE)
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
