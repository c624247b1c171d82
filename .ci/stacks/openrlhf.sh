#!/usr/bin/env bash
# The `openrlhf` environment (README "Supported environments"): patarm[openrlhf] and OpenRLHF 0.11.2
# without its GPU pins. Doctor, the hook tests through OpenRLHF's own loaders, the recipe's flags, and
# README's `train_ppo_ray` command run to the GPU boundary (.ci/stacks/smoke/openrlhf_train_ppo_ray.py), and the
# SFT recipe, data build included, up to OpenRLHF's training stack (.ci/stacks/smoke/openrlhf_train_sft.py).
# shellcheck source=_common.bash
. "$(dirname "$0")/_common.bash"
build_env openrlhf
patarm doctor --stack openrlhf --no-gpu
stack_tests tests/adapters/openrlhf tests/doctor tests/test_launch_recipes.py tests/test_sft_recipes.py \
    -k "not test_verl_recipe and not test_trl_recipe"
python .ci/stacks/smoke/openrlhf_train_ppo_ray.py
python .ci/stacks/smoke/openrlhf_train_sft.py
stack_done
