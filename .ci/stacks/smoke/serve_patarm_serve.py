"""Reward-server launch smoke, on a CPU: the docs' ``patarm serve`` command, then the same server
with a judge a CPU can run.

1. the docs' command as written (``--backend vllm``, a local model for its PATH) must stop at the
   GPU boundary: vLLM is not in this environment, and the error names the extra to install;
2. the same command with ``--backend tiny`` on a free port answers ``/health`` and scores an item
   on ``/v1/score`` and OpenRLHF's ``/get_reward``.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from readme import launch_block

PAGE = "how-to/serve-reward.md"
GPU_BOUNDARY = "'vllm' is not installed; it comes with the 'vllm' extra: pip install -e '.[vllm]'"


def fail(message: str, output: str = "") -> None:
    print(output[-4000:])
    print(f"serve smoke FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> int:
    from patarm.testing import save_tiny_model
    from patarm.testing.servers import free_port, stop_process, wait_for_health

    block = launch_block(PAGE, "patarm serve --backend vllm").replace("\\\n", " ")
    argv = shlex.split(block)
    with tempfile.TemporaryDirectory(prefix="patarm-serve-smoke-") as scratch:
        model = save_tiny_model(Path(scratch) / "model")
        argv = [str(model) if a == "PATH/TO/PaTaRM-8B" else a for a in argv]
        port = str(free_port())
        argv[argv.index("--port") + 1] = port
        argv[argv.index("--host") + 1] = "127.0.0.1"

        out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        if out.returncode == 0 or GPU_BOUNDARY not in out.stderr:
            fail(f"the docs' `patarm serve --backend vllm` did not stop at {GPU_BOUNDARY!r}", out.stdout + out.stderr)
        print(f"patarm serve --backend vllm: stopped at the GPU boundary: {GPU_BOUNDARY}")

        argv[argv.index("--backend") + 1] = "tiny"
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            url = f"http://127.0.0.1:{port}"
            problem = wait_for_health(url, proc, 180)
            if problem:
                fail(f"patarm serve --backend tiny: {problem}")
            item = {"prompt": "What is 2 + 2?", "response": "4"}
            scored = httpx.post(f"{url}/v1/score", json={"items": [item]}, timeout=120).json()
            reward = httpx.post(
                f"{url}/get_reward", json={"query": ["What is 2 + 2? 4"], "prompts": ["What is 2 + 2?"]}, timeout=120
            ).json()
            if len(scored["results"]) != 1 or len(reward["rewards"]) != 1:
                fail(f"unexpected answers: {scored} {reward}")
            print(f"patarm serve --backend tiny: /health ok, /v1/score and /get_reward answered ({url})")
        finally:
            stop_process(proc)
    print("serve launch smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
