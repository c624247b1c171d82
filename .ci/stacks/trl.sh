#!/usr/bin/env bash
# The `trl` environment (README "Supported environments"): patarm[trl], TRL >= 1.16.
# Doctor, the TRL adapter and policy-reward tests, README's recipe `examples/trl/train_judge.py --tiny`, and the
# SFT stage before it: `patarm data build-sft --format trl`, then `examples/trl/sft_judge.py --tiny` (smoke/trl_sft_judge.py).
# shellcheck source=_common.bash
. "$(dirname "$0")/_common.bash"
build_env trl
patarm doctor --stack trl --no-gpu
# The GRPO runs marked slow train in the dev suite (README's test command); here the recipe trains.
STACK_MARK="not slow" stack_tests tests/adapters/trl tests/doctor tests/policy_rewards/test_example.py
stack_tests tests/test_sft_recipes.py -k "test_trl_recipe or exist or parses"
python .ci/stacks/smoke/trl_train_judge.py
python .ci/stacks/smoke/trl_sft_judge.py
stack_done
