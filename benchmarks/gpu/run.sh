#!/usr/bin/env bash
# The GPU check in one command, on the GPU machine (wheels from prepare.sh in benchmarks/gpu/wheels):
#   bash benchmarks/gpu/run.sh [--steps 6] [--generations 8] [--max-completion-length 256]
# Installs the carried wheels into a venv over the image's packages (no network, no index) and
# runs par_step_cost.py on a random-weight Qwen3-1.7B-shaped judge: step time with PAR against a
# plain scalar reward, peak memory, pair integrity. Figures also go to $OUT/par_step_cost.json
# (or benchmarks/results/) as JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${TMPDIR:-/tmp}/patarm-gpu-check
python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q --no-index --no-deps benchmarks/gpu/wheels/*.whl
results=${OUT:-benchmarks/results}
mkdir -p "$results"
"$venv/bin/python" benchmarks/gpu/par_step_cost.py --json "$results/par_step_cost.json" "$@"
