#!/usr/bin/env bash
# Mutation testing of the pure core (README "Development"): mutmut over the modules in
# [tool.mutmut] of pyproject.toml, on a seeded sample of mutants that stays within a few
# minutes; fails when fewer than 95% of the non-equivalent sampled mutants are killed.
# The full run is `python tools/mutation.py` in the same environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
env=.venvs/mutation
rm -rf "$env" mutants
python3 -m venv "$env"
"$env/bin/pip" install -q torch==2.13.0
"$env/bin/pip" install -q -e . "pytest>=8" "hypothesis>=6.100" "mutmut>=3.8,<4"
nice -n 10 "$env/bin/python" tools/mutation.py --sample "${PATARM_MUTATION_SAMPLE:-120}" --seed "${PATARM_MUTATION_SEED:-0}"
rm -rf mutants
