"""OpenRLHF launch smoke, on a CPU: the docs' OpenRLHF block run as far as a CPU allows.

1. the docs' ``patarm data build-openrlhf`` on a few synthetic pairs;
2. the docs' ``train_ppo_ray`` flags (its ``...`` replaced by a local model path) through
   OpenRLHF's own argument parser and post-parse checks (``patarm.testing.launch.openrlhf_args``);
3. the block run by bash: the real ``python -m openrlhf.cli.train_ppo_ray`` must stop at the GPU
   boundary: ``import vllm`` in ``openrlhf/trainer/ray/vllm_engine.py`` (OpenRLHF generates only
   through vLLM, which has no CPU build), with Ray and OpenRLHF's own modules imported before it.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

from launch_checks import fail as smoke_fail
from launch_checks import write_pairs
from readme import launch_argv, launch_block, run, with_extra

PAGE = "how-to/train-openrlhf.md"
MODULE = "openrlhf.cli.train_ppo_ray"
GPU_BOUNDARY = "ModuleNotFoundError: No module named 'vllm'"
WHERE = "openrlhf/trainer/ray/vllm_engine.py"


SMOKE = "OpenRLHF"
fail = partial(smoke_fail, SMOKE)


def main() -> int:
    from patarm.adapters.openrlhf import PAIR_AGENT_PATH
    from patarm.testing import save_tiny_model
    from patarm.testing.launch import openrlhf_args

    with tempfile.TemporaryDirectory(prefix="patarm-openrlhf-smoke-") as scratch:
        work = Path(scratch)
        model = save_tiny_model(work / "model")
        pairs = [
            {"pair_id": f"p{i}", "prompt": f"What is {i} + {i}?", "chosen": str(2 * i), "rejected": str(2 * i + 1)}
            for i in range(8)
        ]
        write_pairs(work, pairs)
        script = with_extra(launch_block(PAGE, MODULE), ["--actor.model_name_or_path", str(model)])

        args = openrlhf_args(launch_argv(script, MODULE, work))
        if args.train.agent_func_path != PAIR_AGENT_PATH or args.rollout.n_samples_per_prompt != 16:
            fail(f"the docs' flags parse to {args.train.agent_func_path}, n={args.rollout.n_samples_per_prompt}")
        print(
            f"train_ppo_ray flags: parsed by OpenRLHF (agent {Path(args.train.agent_func_path).name}, "
            f"{args.rollout.n_samples_per_prompt} samples per pair row, {args.algo.advantage.estimator})"
        )

        result = run(script, work, timeout=300)
        output = result.stdout + result.stderr
        rows = (work / "data" / "pairs.jsonl").read_text().splitlines() if (work / "data").exists() else []
        if len(rows) != len(pairs):
            fail(f"patarm data build-openrlhf wrote {len(rows)} pair rows, not {len(pairs)}", output)
        if result.returncode == 0:
            fail("train_ppo_ray ran to the end on a CPU: the GPU boundary moved", output)
        last = output.strip().splitlines()[-1]
        if last != GPU_BOUNDARY or WHERE not in output:
            fail(f"train_ppo_ray stopped at {last!r}, not at {GPU_BOUNDARY!r} in {WHERE}", output)
        print(f"train_ppo_ray: {len(rows)} pair rows built; stopped at the GPU boundary: {last} ({WHERE})")
    print("OpenRLHF launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
