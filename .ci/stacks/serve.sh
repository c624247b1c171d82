#!/usr/bin/env bash
# The `serve` environment (README "Supported environments"): patarm[serve], the reward server alone.
# Doctor, the server tests, and README's `patarm serve` command (.ci/stacks/smoke/serve_patarm_serve.py).
# shellcheck source=_common.bash
. "$(dirname "$0")/_common.bash"
build_env serve
patarm doctor --stack serve --no-gpu
stack_tests tests/serve tests/doctor
python .ci/stacks/smoke/serve_patarm_serve.py
stack_done
